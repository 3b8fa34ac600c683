import { describe, expect, it } from 'vitest';
import { dialectSniffsIn, listFindings, type Finding, type ImportRef, importsOf, listSources, parse, queriesIn } from '../helpers/source-scan.ts';

/**
 * The boundaries of the architecture notes ("Boundaries that a test enforces"), checked on the
 * sources themselves. Each failure names the file and line to change; the fix is to move the
 * code, not to widen the allowances below.
 */

const sources = listSources('src').map((f) => parse(f));
const inDb = (file: string) => file.startsWith('src/db/');
const isRepository = (file: string) => file.endsWith('.repository.ts');

/**
 * Files allowed to ask which database is in use outside src/db, each with the reason:
 * the rate limiter picks where its counters live (rate-limiter-flexible's own PostgreSQL
 * table, or memory) from the configured URL; it builds no SQL of ours.
 */
const DIALECT_ALLOWED = new Set(['src/lib/rate-limit-store.ts']);

describe('Kysely queries', () => {
  it('are built only in *.repository.ts and src/db/', () => {
    const found = sources.filter((s) => !inDb(s.file) && !isRepository(s.file)).flatMap(queriesIn);
    expect(found, `Move these queries into a repository (a named function taking db|trx first):\n${listFindings(found)}`).toEqual([]);
  });

  it('are recognised by the scan (it would catch a new one)', () => {
    const sample = parse(
      'src/domain/x/x.service.ts',
      [
        "import { sql } from 'kysely';",
        "import type { Kysely } from 'kysely';",
        '// db.selectFrom("users") in a comment does not count',
        "const a = await db.selectFrom('users').selectAll().execute();",
        'await sql`select 1`.execute(db);',
        "const s = 'insertInto( in a string does not count';",
        'const r = /updateTable(/;',
      ].join('\n'),
    );
    expect(queriesIn(sample).map((f) => `${f.line} ${f.what}`)).toEqual([
      '4 .execute()',
      '4 .selectFrom()',
      '5 .execute()',
      '5 sql`…`',
      "1 a value import from 'kysely' (only `import type` is fine here)",
    ]);
  });
});

describe('dialect differences', () => {
  it('are asked about only in src/db/ (dialect.ts), never in services or routes', () => {
    const found = sources.filter((s) => !inDb(s.file) && !DIALECT_ALLOWED.has(s.file)).flatMap(dialectSniffsIn);
    expect(found, `Call a helper of src/db/dialect.ts instead of asking which database this is:\n${listFindings(found)}`).toEqual([]);
  });

  it('are branched on in dialect.ts alone within src/db', () => {
    // create-db builds the two dialects and precompiled keys its cache by dialectOf(); neither branches.
    const branching = new Set(['isPostgres', 'PostgresAdapter', 'SqliteAdapter', 'getExecutor']);
    const found = sources.filter((s) => inDb(s.file) && s.file !== 'src/db/dialect.ts').flatMap(dialectSniffsIn).filter((f) => branching.has(f.what));
    expect(found, `Put the difference in src/db/dialect.ts:\n${listFindings(found)}`).toEqual([]);
  });
});

const allImports = sources.flatMap(importsOf);
const importsFrom = (prefix: string) => allImports.filter((i) => i.file.startsWith(prefix));
const site = (i: ImportRef): Finding => ({ file: i.file, line: i.line, what: `imports ${i.spec}` });

describe('layers', () => {
  it('routes and the rest of src/web import services, never repositories', () => {
    const found = importsFrom('src/web/').filter((i) => i.target !== null && isRepository(i.target)).map(site);
    expect(found, `Call a service verb instead (add one that wraps the read if none fits):\n${listFindings(found)}`).toEqual([]);
  });

  it('the domain never imports web, worker, runtime or entry points', () => {
    const found = importsFrom('src/domain/').filter((i) => /^src\/(web|worker|runtime|bin)\//.test(i.target ?? '')).map(site);
    expect(found, listFindings(found)).toEqual([]);
  });

  it('web and worker never import each other', () => {
    const found = [
      ...importsFrom('src/web/').filter((i) => i.target?.startsWith('src/worker/')),
      ...importsFrom('src/worker/').filter((i) => i.target?.startsWith('src/web/')),
    ].map(site);
    expect(found, listFindings(found)).toEqual([]);
  });
});

/** The context folder of a path under src/domain/ (null for the shared files directly in it). */
function contextOf(path: string): string | null {
  const m = /^src\/domain\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

/** Context -> context edges, each with the first import that makes it (type imports count: they couple the models too). */
function contextGraph(imports: ImportRef[]): Map<string, Map<string, ImportRef>> {
  const g = new Map<string, Map<string, ImportRef>>();
  for (const i of imports) {
    const from = contextOf(i.file);
    const to = i.target && contextOf(i.target);
    if (!from || !to || from === to) continue;
    if (!g.has(from)) g.set(from, new Map());
    if (!g.get(from)!.has(to)) g.get(from)!.set(to, i);
  }
  return g;
}

/** Shortest path from `a` to `b` along the graph's edges, or null. */
function shortestPath(g: Map<string, Map<string, ImportRef>>, a: string, b: string): string[] | null {
  const prev = new Map<string, string>([[a, a]]);
  const queue = [a];
  while (queue.length) {
    const x = queue.shift()!;
    if (x === b) break;
    for (const y of g.get(x)?.keys() ?? []) {
      if (!prev.has(y)) {
        prev.set(y, x);
        queue.push(y);
      }
    }
  }
  if (!prev.has(b)) return null;
  const path = [b];
  while (path[0] !== a) path.unshift(prev.get(path[0]!)!);
  return path;
}

/**
 * Every distinct cycle that closes through some edge: for each edge a -> b, the shortest way
 * back from b to a. Each is printed with the import behind every step.
 */
function contextCycles(g: Map<string, Map<string, ImportRef>>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [a, targets] of g) {
    for (const b of targets.keys()) {
      const back = shortestPath(g, b, a);
      if (!back) continue;
      const cycle = [a, ...back];
      const ring = cycle.slice(0, -1);
      const start = ring.indexOf([...ring].sort()[0]!);
      const key = [...ring.slice(start), ...ring.slice(0, start)].join('>');
      if (seen.has(key)) continue;
      seen.add(key);
      const steps = cycle.slice(0, -1).map((x, k) => {
        const i = g.get(x)!.get(cycle[k + 1]!)!;
        return `    ${x} -> ${cycle[k + 1]}: ${i.file}:${i.line} imports ${i.spec}`;
      });
      out.push(`  ${cycle.join(' -> ')}\n${steps.join('\n')}`);
    }
  }
  return out;
}

describe('domain contexts (folders of src/domain)', () => {
  it('import each other without cycles', () => {
    const cycles = contextCycles(contextGraph(importsFrom('src/domain/')));
    const help = 'Break each cycle: emit an event (src/domain/events.ts, subscribed in src/runtime/events.ts), or move the helper to the context that owns it or to src/lib.';
    expect(cycles, `${help}\n${cycles.join('\n')}`).toEqual([]);
  });

  it('share src/domain/*.ts files (the event catalogue) that import no context', () => {
    const found = importsFrom('src/domain/').filter((i) => contextOf(i.file) === null && i.target !== null && contextOf(i.target) !== null).map(site);
    expect(found, listFindings(found)).toEqual([]);
  });

  it('cycles are found and named (the check would catch a new one)', () => {
    const ref = (file: string, spec: string): ImportRef => ({ file, line: 1, spec, target: null, typeOnly: false });
    const g = new Map([
      ['checks', new Map([['statuspages', ref('src/domain/checks/a.ts', '../statuspages/b.ts')]])],
      ['statuspages', new Map([['checks', ref('src/domain/statuspages/b.ts', '../checks/c.ts')], ['billing', ref('src/domain/statuspages/d.ts', '../billing/e.ts')]])],
    ]);
    expect(contextCycles(g)).toEqual([
      '  checks -> statuspages -> checks\n    checks -> statuspages: src/domain/checks/a.ts:1 imports ../statuspages/b.ts\n    statuspages -> checks: src/domain/statuspages/b.ts:1 imports ../checks/c.ts',
    ]);
  });
});
