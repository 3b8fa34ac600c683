import type { Db } from '../../db/create-db.ts';
import { DAY } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { isDbId } from '../../lib/ids.ts';
import * as repo from './posts.repository.ts';
import { type Impact, isDone, type Post, worseImpact } from './posts.ts';
import { loadPosts, postUrl } from './posts.service.ts';

const PAST_WINDOW = 14 * DAY;

/** What a status page shows of its posts (published only). */
export interface PublicPosts {
  /** Open incidents, newest first. */
  active: Post[];
  /** Maintenance not completed yet (upcoming or in progress), soonest first. */
  maintenance: Post[];
  /** Incidents resolved and maintenance completed in the last 14 days, newest first. */
  past: Post[];
}

/** Posts as the public sees them: components of private monitors are left out. */
async function loadPublic(db: Db, rows: repo.PostRow[], now: number): Promise<Post[]> {
  return (await loadPosts(db, rows, now)).map((p) => ({ ...p, components: p.components.filter((c) => !c.hidden) }));
}

export async function publicPosts(db: Db, pageId: number, now: number): Promise<PublicPosts> {
  const posts = await loadPublic(db, await repo.listPublished(db, pageId, now - PAST_WINDOW), now);
  return {
    active: posts.filter((p) => p.kind === 'incident' && !isDone(p)),
    maintenance: posts.filter((p) => p.kind === 'maintenance' && !isDone(p)).sort((a, b) => (a.scheduledStart ?? 0) - (b.scheduledStart ?? 0)),
    past: posts.filter((p) => isDone(p)),
  };
}

/** The page's published posts, found by the page's slug. */
export async function publicPostsForSlug(db: Db, slug: string, now: number): Promise<PublicPosts> {
  const page = await repo.pageBySlug(db, slug);
  if (!page) throw new NotFoundError('Status page');
  return publicPosts(db, page.id, now);
}

/** One published post of the page; drafts and other pages' posts are not found. */
export async function publicPost(db: Db, slug: string, postId: number, now: number): Promise<{ page: { slug: string; title: string }; post: Post }> {
  const page = await repo.pageBySlug(db, slug);
  if (!page) throw new NotFoundError('Status page');
  const row = isDbId(postId) ? await repo.findPost(db, page.id, postId) : undefined;
  if (!row || row.published_at === null) throw new NotFoundError('Incident');
  return { page: { slug: page.slug, title: page.title }, post: (await loadPublic(db, [row], now))[0]! };
}

/**
 * Impact posted on each component by published, unresolved incidents and by maintenance in
 * progress; the worst wins. A component's public status is the worse of this and its live one.
 */
export async function postedImpacts(db: Db, pageId: number, now: number): Promise<Map<number, Impact>> {
  const out = new Map<number, Impact>();
  for (const r of await repo.openImpacts(db, pageId, now)) out.set(r.component_id, worseImpact(out.get(r.component_id), r.impact as Impact));
  return out;
}

/** The `posts` field of /s/<slug>/api. */
export function postsJson(p: PublicPosts, baseUrl: string, slug: string) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return [...p.active, ...p.maintenance, ...p.past].map((post) => ({
    id: post.id,
    kind: post.kind,
    title: post.title,
    state: post.state,
    url: postUrl(baseUrl, slug, post.id),
    components: post.components.map((c) => ({ id: c.id, name: c.name, impact: c.impact })),
    updates: post.updates.map((u) => ({ state: u.state, body: u.body, created_at: iso(u.createdAt) })),
    ...(post.kind === 'maintenance' ? { scheduled: { starts_at: iso(post.scheduledStart), ends_at: iso(post.scheduledEnd) } } : {}),
    published_at: iso(post.publishedAt),
    resolved_at: iso(post.resolvedAt),
  }));
}
