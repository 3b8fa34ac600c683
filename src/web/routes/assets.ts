import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { projectRoot } from '../../lib/paths.ts';
import type { AppEnv } from '../deps.ts';

export const PUBLIC_DIR = path.join(projectRoot(), 'public');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
};

/** Only these files are served; everything under /static is ours and versioned by ETag. */
const FILES = ['app.css', 'htmx.min.js', 'app.js', 'copy.js', 'favicon.svg'];

export function assetRoutes(production: boolean) {
  const cache = new Map<string, { body: Buffer; etag: string; type: string }>();
  const load = (name: string) => {
    const hit = production ? cache.get(name) : undefined;
    if (hit) return hit;
    const body = readFileSync(path.join(PUBLIC_DIR, name));
    const entry = { body, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`, type: TYPES[path.extname(name)] ?? 'application/octet-stream' };
    cache.set(name, entry);
    return entry;
  };
  return new Hono<AppEnv>().get('/static/:file', (c) => {
    const name = c.req.param('file');
    if (!FILES.includes(name)) return c.notFound();
    const f = load(name);
    c.header('ETag', f.etag);
    c.header('Cache-Control', production ? 'public, max-age=3600' : 'no-cache');
    if (c.req.header('if-none-match') === f.etag) return c.body(null, 304);
    c.header('Content-Type', f.type);
    return c.body(new Uint8Array(f.body));
  });
}
