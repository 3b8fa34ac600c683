// Monitor credentials are write-only, as alert channel credentials are (alerts.ts
// SECRET_FIELDS): once saved they are never shown again, on a form or through the API, and
// an update that leaves one blank keeps the stored value.

/** Settings that are credentials: the Basic-auth password and the Bearer token. */
export const SECRET_SETTINGS = ['auth_pass', 'auth_token'] as const;

/** Which authentication type each credential belongs to; another type drops it. */
const USED_BY: Record<(typeof SECRET_SETTINGS)[number], string> = { auth_pass: 'basic', auth_token: 'bearer' };

/**
 * Request headers whose values are credentials by their name: Authorization, Cookie, API
 * keys and anything named like a token, secret, key, password, session or signature.
 */
const SECRET_HEADER = /authorization|cookie|token|secret|key|passw|session|credential|signature|auth/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

interface HeaderLine {
  name: string;
  value: string;
}

function headerLines(headers: string | undefined): HeaderLine[] {
  return (headers ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const i = l.indexOf(':');
      return i < 0 ? { name: l.trim(), value: '' } : { name: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
    });
}

/** The headers with the values of secret ones left out ("X-Api-Key:"), as forms and the API show them; other lines as they are. */
export function visibleHeaders(headers: string | undefined): string {
  return (headers ?? '')
    .split('\n')
    .map((line) => {
      const i = line.indexOf(':');
      return i > 0 && isSecretHeader(line.slice(0, i)) ? `${line.slice(0, i).trim()}:` : line;
    })
    .join('\n');
}

/** Stored settings as a form or API client may see them: no credentials, no secret header values. */
export function visibleSettings(settings: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) {
    if ((SECRET_SETTINGS as readonly string[]).includes(k)) continue;
    out[k] = k === 'headers' ? visibleHeaders(v) : v;
  }
  return out;
}

/** What is stored and hidden, so a form can say "saved — leave empty to keep". */
export function savedSecrets(settings: Record<string, string>): { auth_pass: boolean; auth_token: boolean; headers: string[] } {
  return {
    auth_pass: !!settings.auth_pass,
    auth_token: !!settings.auth_token,
    headers: headerLines(settings.headers).filter((h) => isSecretHeader(h.name) && h.value !== '').map((h) => h.name),
  };
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * An update's input with the stored credentials put back where it leaves them blank:
 * 1. a blank Basic password or Bearer token keeps the stored one while the authentication
 *    type still uses it; choosing another type (or None) removes it;
 * 2. a secret header sent without a value ("X-Api-Key:") keeps its stored value; a header
 *    line deleted is removed.
 */
export function keepStoredSecrets(raw: Record<string, unknown>, stored: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const authType = typeof raw.auth_type === 'string' && raw.auth_type !== '' ? raw.auth_type : 'none';
  for (const f of SECRET_SETTINGS) {
    if (authType !== USED_BY[f]) out[f] = '';
    else if (blank(raw[f]) && stored[f]) out[f] = stored[f];
  }
  if (typeof raw.headers === 'string') {
    const storedValues = new Map(headerLines(stored.headers).map((h) => [h.name.toLowerCase(), h.value]));
    out.headers = raw.headers
      .split('\n')
      .map((line) => {
        const m = /^\s*([^:\s]+)\s*:\s*$/.exec(line);
        const kept = m && isSecretHeader(m[1]!) ? storedValues.get(m[1]!.toLowerCase()) : undefined;
        return kept ? `${m![1]}: ${kept}` : line;
      })
      .join('\n');
  }
  return out;
}

/** A submitted form shown again after an error: what was typed, except credentials. */
export function withoutSecrets(form: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) {
    if ((SECRET_SETTINGS as readonly string[]).includes(k)) continue;
    out[k] = k === 'headers' ? visibleHeaders(v) : v;
  }
  return out;
}
