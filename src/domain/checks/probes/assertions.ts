import { runInNewContext } from 'node:vm';

/** Response checks beyond the status code, each failing with a sentence naming what was expected. */
export interface HttpAssertions {
  keyword?: string;
  keywordAbsent?: string;
  regex?: string;
  jsonPath?: string;
  jsonOp?: 'equals' | 'contains';
  jsonExpected?: string;
  headerName?: string;
  headerValue?: string;
  maxResponseMs?: number;
}

/** Parses "200-299,301" into inclusive ranges; throws a readable message on bad input. */
export function parseStatusRanges(spec: string): Array<[number, number]> {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('Enter at least one status code, e.g. 200-399');
  return parts.map((part) => {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part);
    if (!m) throw new Error(`"${part}" is not a status code or range (e.g. 200 or 200-299)`);
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    if (lo < 100 || hi > 599 || lo > hi) throw new Error(`"${part}" is outside 100-599 or reversed`);
    return [lo, hi];
  });
}

export function statusMatches(ranges: Array<[number, number]>, code: number): boolean {
  return ranges.some(([lo, hi]) => code >= lo && code <= hi);
}

export const REGEX_TIME_LIMIT_MS = 50;

/**
 * Tests a user's regular expression with a hard time limit: V8 can interrupt a runaway
 * backtracking match inside a vm context with a timeout, so a hostile pattern fails the
 * check instead of stalling the engine.
 */
export function safeRegexTest(pattern: string, text: string, timeoutMs = REGEX_TIME_LIMIT_MS): boolean | 'timeout' | 'invalid' {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return 'invalid';
  }
  try {
    return runInNewContext('re.test(text)', { re, text }, { timeout: timeoutMs }) as boolean;
  } catch {
    return 'timeout';
  }
}

/** `$.a.b[0]["c d"]` → the value, or undefined when a step is missing. */
export function jsonPathGet(doc: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const steps: Array<string | number> = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[["']([^"']*)["']\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  }
  let cur: unknown = doc;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? 'nothing');

/** Checks a response; returns the first failure as a sentence, or null when all pass. */
export function checkAssertions(a: HttpAssertions, res: { body: string; headers: Headers; responseMs: number }): string | null {
  if (a.keyword && !res.body.includes(a.keyword)) return `Keyword missing: "${a.keyword}" not found in the response`;
  if (a.keywordAbsent && res.body.includes(a.keywordAbsent)) return `Keyword present: "${a.keywordAbsent}" found in the response`;
  if (a.regex) {
    const r = safeRegexTest(a.regex, res.body);
    if (r === 'timeout') return `Regular expression took longer than ${REGEX_TIME_LIMIT_MS} ms and was stopped`;
    if (r === 'invalid') return 'Regular expression is not valid';
    if (!r) return `Regular expression /${a.regex}/ did not match the response`;
  }
  if (a.jsonPath) {
    let doc: unknown;
    try {
      doc = JSON.parse(res.body);
    } catch {
      return 'Response is not valid JSON';
    }
    const got = jsonPathGet(doc, a.jsonPath);
    const want = a.jsonExpected ?? '';
    let expected: unknown = want;
    try {
      expected = JSON.parse(want);
    } catch {
      /* a bare word compares as a string */
    }
    if (a.jsonOp === 'contains') {
      const hay = typeof got === 'string' ? got : JSON.stringify(got ?? '');
      if (!hay.includes(typeof expected === 'string' ? expected : JSON.stringify(expected))) return `JSON ${a.jsonPath} is ${show(got)}, which does not contain ${show(expected)}`;
    } else if (JSON.stringify(got) !== JSON.stringify(expected)) {
      return `JSON ${a.jsonPath} is ${show(got)}, expected ${show(expected)}`;
    }
  }
  if (a.headerName) {
    const v = res.headers.get(a.headerName);
    if (v === null) return `Header ${a.headerName} is missing`;
    if (a.headerValue !== undefined && a.headerValue !== '' && v !== a.headerValue) return `Header ${a.headerName} is "${v}", expected "${a.headerValue}"`;
  }
  if (a.maxResponseMs !== undefined && res.responseMs > a.maxResponseMs) return `Too slow: ${res.responseMs} ms, limit ${a.maxResponseMs} ms`;
  return null;
}
