import type { Db } from '../../db/create-db.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError, ValidationError } from '../../lib/errors.ts';
import * as repo from './assets.repository.ts';
import { findOwnPage } from './pages.repository.ts';

export type AssetKind = 'logo' | 'favicon';
export const ASSET_KINDS: readonly AssetKind[] = ['logo', 'favicon'];
export const MAX_ASSET_BYTES = 256 * 1024;

export function isAssetKind(v: string | undefined): v is AssetKind {
  return v === 'logo' || v === 'favicon';
}

/**
 * The image type from the file's first bytes (PNG, JPEG, WebP, ICO), never from the name or
 * the browser's Content-Type: an HTML file named logo.png is not an image and is refused.
 */
export function sniffImage(b: Uint8Array): string | null {
  const at = (i: number, ...bytes: number[]) => bytes.every((x, k) => b[i + k] === x);
  if (b.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (b.length >= 3 && at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (b.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  // ICO: reserved 0, type 1, at least one image.
  if (b.length >= 6 && at(0, 0x00, 0x00, 0x01, 0x00) && (b[4]! > 0 || b[5]! > 0)) return 'image/x-icon';
  return null;
}

/** Which assets a page has, as their versions (updated_at) for cache-busting links. */
export async function listAssets(db: Db, pageId: number): Promise<Record<AssetKind, number | null>> {
  const rows = await repo.versionsOf(db, pageId);
  const v = (k: AssetKind) => rows.find((r) => r.kind === k)?.updated_at ?? null;
  return { logo: v('logo'), favicon: v('favicon') };
}

export async function saveAsset(deps: { db: Db; clock: Clock }, accountId: number, pageId: number, kind: AssetKind, data: Uint8Array | null): Promise<void> {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const field = { [kind]: '' };
  const fail = (msg: string) => new ValidationError(msg, { ...field, [kind]: msg });
  if (!data || data.length === 0) throw fail('Choose an image file to upload');
  if (data.length > MAX_ASSET_BYTES) throw fail(`The image is larger than ${MAX_ASSET_BYTES / 1024} KB`);
  const type = sniffImage(data);
  if (!type) throw fail('Upload a PNG, JPEG, WebP or ICO image');
  await repo.putAsset(deps.db, { pageId: page.id, kind, contentType: type, data: Buffer.from(data), now: deps.clock.now() });
}

export async function removeAsset(db: Db, accountId: number, pageId: number, kind: AssetKind): Promise<void> {
  const page = await findOwnPage(db, accountId, pageId);
  await repo.deleteAsset(db, page.id, kind);
}

/** A page's asset for the public routes (the caller has already checked who may see the page). */
export async function publicAsset(db: Db, slug: string, kind: AssetKind) {
  const a = await repo.findBySlug(db, slug, kind);
  if (!a) throw new NotFoundError(kind === 'logo' ? 'Logo' : 'Favicon');
  return { contentType: a.content_type, data: new Uint8Array(a.data), updatedAt: a.updated_at };
}
