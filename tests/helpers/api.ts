import type { Client } from './app.ts';

type Fetchable = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

/** Creates an API key through Settings → API keys and returns the key shown once. */
export async function createKeyVia(client: Client, name = 'CI', scope: 'read' | 'write' = 'write'): Promise<string> {
  await client.get('/settings/api-keys');
  const res = await client.post('/settings/api-keys', { name, scope });
  const html = await res.text();
  const m = /data-testid="api-key-secret">(sp_live_[A-Za-z0-9_-]+)</.exec(html);
  if (res.status !== 201 || !m) throw new Error(`key creation failed: ${res.status} ${html.slice(0, 300)}`);
  return m[1]!;
}

/** A JSON client for /api/v1 with a bearer key. */
export function apiClient(app: Fetchable, key: string | null) {
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await app.request(`/api/v1${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: the assertions will say so */
    }
    return { status: res.status, headers: res.headers, text, json };
  }
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    patch: (path: string, body?: unknown) => call('PATCH', path, body),
    delete: (path: string) => call('DELETE', path),
    call,
  };
}
