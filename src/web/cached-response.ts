import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type { AppEnv } from './deps.ts';

/**
 * A public representation built once and served to every visitor until it expires: the body,
 * its validators, and its compressed forms, each made on first demand and then kept, so a
 * cached hit costs a header check and a buffer write.
 */
export class Rendered {
  readonly body: Buffer;
  readonly etag: string;
  readonly lastModified: string;
  private gz?: Buffer;
  private br?: Buffer;

  constructor(body: string, generatedAt: string | number) {
    this.body = Buffer.from(body);
    this.etag = `"${createHash('sha1').update(this.body).digest('base64url').slice(0, 20)}"`;
    this.lastModified = new Date(generatedAt).toUTCString();
  }

  gzip(): Buffer {
    return (this.gz ??= gzipSync(this.body, { level: 6 }));
  }

  brotli(): Buffer {
    return (this.br ??= brotliCompressSync(this.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: this.body.length } }));
  }
}

/** Below this size compression costs more than it saves. */
const MIN_COMPRESS = 1024;

/** Which encoding to answer with: br, then gzip, when the client accepts them (q=0 refuses). */
function pickEncoding(accept: string | undefined): 'br' | 'gzip' | null {
  if (!accept) return null;
  const ok = (name: string) => {
    const m = new RegExp(`(?:^|,)\\s*${name}\\s*(?:;\\s*q\\s*=\\s*([0-9.]+))?`, 'i').exec(accept);
    return !!m && (m[1] === undefined || Number(m[1]) > 0);
  };
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

// Node Buffers are Uint8Arrays over a plain ArrayBuffer (never shared), which Hono's body type wants spelled out.
const bytesOf = (b: Buffer) => b as unknown as Uint8Array<ArrayBuffer>;

/**
 * Sends a cached rendering with validators; a matching If-None-Match gets 304. The Response
 * is built in one go with plain-object headers (the security headers included), which the
 * Node adapter writes without building a Headers object: the hot path of a busy status page.
 */
export function sendRendered(c: Context<AppEnv>, r: Rendered, type: string, maxAgeSeconds: number, opts: { cors?: boolean } = {}) {
  const headers: Record<string, string> = {
    ...c.get('securityHeaders'),
    ETag: r.etag,
    'Last-Modified': r.lastModified,
    Vary: 'Accept-Encoding',
    // A private page may still be held in our own cache, never in a shared one.
    'Cache-Control': c.get('privateAnswer') ? 'private, no-store' : `public, max-age=${maxAgeSeconds}`,
  };
  if (opts.cors) headers['Access-Control-Allow-Origin'] = '*';
  if (c.req.header('if-none-match') === r.etag) return new Response(null, { status: 304, headers });
  headers['Content-Type'] = type;
  const enc = r.body.length >= MIN_COMPRESS ? pickEncoding(c.req.header('accept-encoding')) : null;
  if (enc === null) return new Response(bytesOf(r.body), { headers });
  headers['Content-Encoding'] = enc;
  return new Response(bytesOf(enc === 'br' ? r.brotli() : r.gzip()), { headers });
}
