import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { isDbId } from '../../lib/ids.ts';
import { parseInput } from '../../lib/validate.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import { enqueueSubscriberNotices, type SubscriberNotice } from '../subscribers/notify.ts';
import { findOwnPage } from './pages.repository.ts';
import * as repo from './posts.repository.ts';
import {
  editSchema, type IMPACTS, type Impact, impactsFromForm, incidentSchema, INCIDENT_STATES, type IncidentState, isDone, maintenanceState, noticeSubject, type Post, postmortemSchema,
  postTextSchema, updateSchema,
} from './posts.ts';

/** What post verbs need: the database, a clock, and the public base URL for links in notices. */
export interface PostDeps {
  db: Db;
  clock: Clock;
  baseUrl: string;
}

/** Rows → posts with their components and updates; a maintenance post's state follows the clock. */
export async function loadPosts(db: Db | Trx, rows: repo.PostRow[], now: number): Promise<Post[]> {
  const ids = rows.map((r) => r.id);
  const [components, updates] = await Promise.all([repo.componentsOf(db, ids), repo.updatesOf(db, ids)]);
  return rows.map((r) => ({
    id: r.id,
    pageId: r.page_id,
    kind: r.kind as Post['kind'],
    title: r.title,
    state: r.kind === 'maintenance' ? maintenanceState(r.state, r.scheduled_start, r.scheduled_end, now) : r.state,
    publishedAt: r.published_at,
    postmortem: r.postmortem,
    incidentId: r.incident_id,
    maintenanceWindowId: r.maintenance_window_id,
    scheduledStart: r.scheduled_start,
    scheduledEnd: r.scheduled_end,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    components: components.get(r.id) ?? [],
    updates: updates.get(r.id) ?? [],
  }));
}

export function postUrl(baseUrl: string, slug: string, postId: number): string {
  return `${baseUrl}/s/${slug}/incidents/${postId}`;
}

/**
 * Tells the page's subscribers, in the caller's transaction; the key makes a repeat harmless.
 * `state` is the incident state the update sets (maintenance notices say theirs by the event).
 */
export async function notifySubscribers(
  trx: Trx,
  baseUrl: string,
  post: { id: number; pageId: number; title: string },
  componentIds: number[],
  n: Pick<SubscriberNotice, 'event' | 'key' | 'body' | 'at'> & { state?: string },
) {
  const slug = await repo.pageSlug(trx, post.pageId);
  const { state, ...notice } = n;
  await enqueueSubscriberNotices(trx, { ...notice, pageId: post.pageId, componentIds, subject: noticeSubject(n.event, state, post.title), url: postUrl(baseUrl, slug, post.id) });
}

async function ownPostOnPage(db: Db | Trx, accountId: number, pageId: number, postId: number) {
  const page = await findOwnPage(db, accountId, pageId);
  const row = isDbId(postId) ? await repo.findPost(db, pageId, postId) : undefined;
  if (!row || row.account_id !== accountId) throw new NotFoundError('Incident');
  return { page, row };
}

async function ownPost(db: Db | Trx, accountId: number, pageId: number, postId: number): Promise<repo.PostRow> {
  return (await ownPostOnPage(db, accountId, pageId, postId)).row;
}

/** Records a post change in the audit log when the caller says who acted (the API does). */
export async function auditPost(trx: Trx, by: AuditBy | undefined, accountId: number, action: string, post: { id: number; pageId: number; title: string }, at: number, details: Record<string, unknown> = {}) {
  if (!by) return;
  await recordAudit(trx, { accountId, actor: by.actor, ip: by.ip ?? null, action, target: `post ${post.id} on page ${post.pageId} (${post.title})`, details, at });
}

/** The component impacts a typed caller chose; one not on the page is an error, not silently dropped. */
async function impactsOnPage(db: Db | Trx, pageId: number, chosen: ReadonlyArray<{ id: number; impact: Impact }>): Promise<Map<number, Impact>> {
  const valid = new Set((await repo.pageComponents(db, pageId)).map((c) => c.id));
  const unknown = chosen.filter((c) => !valid.has(c.id)).map((c) => c.id);
  if (unknown.length) throw new ValidationError(`Not components of this page: ${unknown.join(', ')}`, { components: `Not components of this page: ${unknown.join(', ')}` });
  return new Map(chosen.map((c) => [c.id, c.impact]));
}

/** The page's components that exist among those a form chose. */
async function ownImpacts(db: Db | Trx, pageId: number, raw: Record<string, string>): Promise<Map<number, Impact>> {
  const valid = new Set((await repo.pageComponents(db, pageId)).map((c) => c.id));
  return new Map([...impactsFromForm(raw)].filter(([id]) => valid.has(id)));
}

export async function getPost(deps: PostDeps, accountId: number, pageId: number, postId: number): Promise<Post> {
  const row = await ownPost(deps.db, accountId, pageId, postId);
  return (await loadPosts(deps.db, [row], deps.clock.now()))[0]!;
}

/** A post with its public address (null while it is a draft). */
export type LinkedPost = Post & { url: string | null };
const linked = (baseUrl: string, slug: string, p: Post): LinkedPost => ({ ...p, url: p.publishedAt === null ? null : postUrl(baseUrl, slug, p.id) });

export async function getLinkedPost(deps: PostDeps, accountId: number, pageId: number, postId: number): Promise<LinkedPost> {
  const { page, row } = await ownPostOnPage(deps.db, accountId, pageId, postId);
  return linked(deps.baseUrl, page.slug, (await loadPosts(deps.db, [row], deps.clock.now()))[0]!);
}

export interface PostFilter {
  kind?: Post['kind'];
  /** An incident or maintenance state; a maintenance post's as the clock says. */
  state?: string;
  status?: 'draft' | 'published';
  /** Posts with a smaller id than this (the previous page's next cursor). */
  beforeId?: number;
  limit: number;
}

/** Drafts and published posts of a page, newest first, one page at a time. */
export async function listPostsPage(deps: PostDeps, accountId: number, pageId: number, f: PostFilter): Promise<{ posts: LinkedPost[]; nextCursor: number | null }> {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const now = deps.clock.now();
  const published = f.status === undefined ? undefined : f.status === 'published';
  const rows = await repo.listPostsPage(deps.db, pageId, { kind: f.kind, state: f.state, published, beforeId: f.beforeId, limit: f.limit + 1, now });
  const posts = (await loadPosts(deps.db, rows.slice(0, f.limit), now)).map((p) => linked(deps.baseUrl, page.slug, p));
  return { posts, nextCursor: rows.length > f.limit ? posts.at(-1)!.id : null };
}

/** The incidents tab: drafts, active incidents, upcoming or running maintenance, and the past. */
export async function listPagePosts(deps: PostDeps, accountId: number, pageId: number) {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const posts = await loadPosts(deps.db, await repo.listPosts(deps.db, pageId), deps.clock.now());
  const published = posts.filter((p) => p.publishedAt !== null);
  return {
    page,
    drafts: posts.filter((p) => p.publishedAt === null),
    active: published.filter((p) => p.kind === 'incident' && !isDone(p)),
    upcoming: published.filter((p) => p.kind === 'maintenance' && !isDone(p)).sort((a, b) => (a.scheduledStart ?? 0) - (b.scheduledStart ?? 0)),
    past: published.filter((p) => isDone(p)),
  };
}

export async function pageComponents(deps: { db: Db }, accountId: number, pageId: number) {
  await findOwnPage(deps.db, accountId, pageId);
  return repo.pageComponents(deps.db, pageId);
}

export interface NewIncident {
  title: string;
  state: IncidentState;
  message: string;
  publish: 'now' | 'draft';
  components: ReadonlyArray<{ id: number; impact: (typeof IMPACTS)[number] }>;
}

/** Creates an incident post with its first update, as a draft or published at once. */
export async function openIncident(deps: PostDeps, accountId: number, pageId: number, input: NewIncident, by?: AuditBy): Promise<number> {
  const text = parseInput(postTextSchema, input);
  return writeTx(deps.db, async (trx) => {
    await findOwnPage(trx, accountId, pageId);
    const impacts = await impactsOnPage(trx, pageId, input.components);
    const at = deps.clock.now();
    const publishedAt = input.publish === 'now' ? at : null;
    const id = await repo.insertPost(trx, { accountId, pageId, kind: 'incident', title: text.title, state: input.state, publishedAt, at });
    await repo.replaceComponents(trx, id, impacts);
    const updateId = await repo.insertUpdate(trx, id, input.state, text.message, at);
    const post = { id, pageId, title: text.title };
    if (publishedAt !== null) {
      const event = input.state === 'resolved' ? 'incident.resolved' : 'incident.created';
      await notifySubscribers(trx, deps.baseUrl, post, [...impacts.keys()], { event, state: input.state, key: `post:${id}:update:${updateId}`, body: text.message, at });
    }
    await auditPost(trx, by, accountId, 'incident_post.created', post, at, { state: input.state, published: publishedAt !== null, components: impacts.size });
    return id;
  });
}

/** The new-incident form: `impact_<id>` fields; components no longer on the page are dropped. */
export async function createIncident(deps: PostDeps, accountId: number, pageId: number, raw: Record<string, string>, by?: AuditBy): Promise<number> {
  const input = parseInput(incidentSchema, raw);
  const impacts = await ownImpacts(deps.db, pageId, raw);
  return openIncident(deps, accountId, pageId, { ...input, components: [...impacts].map(([id, impact]) => ({ id, impact: impact as NewIncident['components'][number]['impact'] })) }, by);
}

/**
 * Posts an update: its state becomes the post's state; 'resolved' resolves the incident
 * (a later other state reopens it). Subscribers hear about updates of published posts.
 * A maintenance post's state follows its schedule, so its updates only add a message (and
 * tell subscribers, e.g. that the work runs late).
 */
async function writeUpdate(trx: Trx, deps: PostDeps, row: repo.PostRow, input: { state?: IncidentState; message: string }, by?: AuditBy): Promise<number> {
  const at = deps.clock.now();
  const post = { id: row.id, pageId: row.page_id, title: row.title };
  if (row.kind === 'maintenance') {
    const state = maintenanceState(row.state, row.scheduled_start, row.scheduled_end, at);
    const updateId = await repo.insertUpdate(trx, row.id, state, input.message, at);
    await repo.updatePost(trx, row.id, { updated_at: at });
    if (row.published_at !== null) {
      const comps = await repo.componentsOf(trx, [row.id]);
      await notifySubscribers(trx, deps.baseUrl, post, (comps.get(row.id) ?? []).map((c) => c.id), {
        event: 'maintenance.updated', key: `post:${row.id}:update:${updateId}`, body: input.message, at,
      });
    }
    await auditPost(trx, by, row.account_id, 'maintenance_post.updated', post, at, { state });
    return updateId;
  }
  if (!input.state) throw new ValidationError('Choose a state', { state: 'Choose a state' });
  const updateId = await repo.insertUpdate(trx, row.id, input.state, input.message, at);
  const resolved = input.state === 'resolved';
  await repo.updatePost(trx, row.id, { state: input.state, updated_at: at, resolved_at: resolved ? (row.resolved_at ?? at) : null });
  if (row.published_at !== null) {
    const comps = await repo.componentsOf(trx, [row.id]);
    await notifySubscribers(trx, deps.baseUrl, post, (comps.get(row.id) ?? []).map((c) => c.id), {
      event: resolved ? 'incident.resolved' : 'incident.updated',
      state: input.state,
      key: `post:${row.id}:update:${updateId}`,
      body: input.message,
      at,
    });
  }
  await auditPost(trx, by, row.account_id, resolved ? 'incident_post.resolved' : 'incident_post.updated', post, at, { state: input.state });
  return updateId;
}

/** Posts an update with typed input; the state may be left out only on maintenance posts. */
export async function postUpdate(deps: PostDeps, accountId: number, pageId: number, postId: number, input: { state?: IncidentState; message: string }, by?: AuditBy): Promise<number> {
  const { message } = parseInput(postTextSchema.pick({ message: true }), input);
  return writeTx(deps.db, async (trx) => writeUpdate(trx, deps, await ownPost(trx, accountId, pageId, postId), { state: input.state, message }, by));
}

/** The update form. */
export async function addUpdate(deps: PostDeps, accountId: number, pageId: number, postId: number, raw: Record<string, string>, by?: AuditBy): Promise<number> {
  return postUpdate(deps, accountId, pageId, postId, parseInput(updateSchema, raw), by);
}

export const RESOLVED_MESSAGE = 'This incident has been resolved.';

/** Resolves an open incident with a 'resolved' update; resolving twice is a conflict, not a second notice. */
export async function resolveIncident(deps: PostDeps, accountId: number, pageId: number, postId: number, message: string | undefined, by?: AuditBy): Promise<number> {
  const text = parseInput(postTextSchema.pick({ message: true }), { message: message ?? RESOLVED_MESSAGE });
  return writeTx(deps.db, async (trx) => {
    const row = await ownPost(trx, accountId, pageId, postId);
    if (row.kind !== 'incident') throw new ConflictError('A maintenance is completed, not resolved', 'not_an_incident');
    if (row.state === 'resolved') throw new ConflictError('This incident is already resolved', 'already_resolved');
    return writeUpdate(trx, deps, row, { state: 'resolved', message: text.message }, by);
  });
}

/** Publishes a draft in one click; subscribers hear its latest update. Publishing twice is a no-op. */
export async function publishPost(deps: PostDeps, accountId: number, pageId: number, postId: number, by?: AuditBy): Promise<void> {
  await writeTx(deps.db, async (trx) => {
    const row = await ownPost(trx, accountId, pageId, postId);
    const at = deps.clock.now();
    if (!(await repo.markPublished(trx, row.id, at))) return;
    await auditPost(trx, by, accountId, `${row.kind}_post.published`, { id: row.id, pageId, title: row.title }, at);
    const [post] = await loadPosts(trx, [row], at);
    const latest = post!.updates.at(-1);
    const componentIds = post!.components.map((c) => c.id);
    if (row.kind === 'maintenance') {
      await notifySubscribers(trx, deps.baseUrl, post!, componentIds, { event: 'maintenance.scheduled', key: `post:${row.id}:scheduled`, body: latest?.body ?? '', at });
    } else {
      const event = row.state === 'resolved' ? 'incident.resolved' : 'incident.created';
      await notifySubscribers(trx, deps.baseUrl, post!, componentIds, { event, state: row.state, key: `post:${row.id}:update:${latest?.id ?? 0}`, body: latest?.body ?? '', at });
    }
  });
}

/** Edits the title and, for incidents, the affected components and their impact. */
export async function editPost(deps: PostDeps, accountId: number, pageId: number, postId: number, raw: Record<string, string>): Promise<void> {
  const input = parseInput(editSchema, raw);
  await writeTx(deps.db, async (trx) => {
    const row = await ownPost(trx, accountId, pageId, postId);
    await repo.updatePost(trx, row.id, { title: input.title, updated_at: deps.clock.now() });
    if (row.kind === 'incident') await repo.replaceComponents(trx, row.id, await ownImpacts(trx, pageId, raw));
    else {
      const valid = new Set((await repo.pageComponents(trx, pageId)).map((c) => c.id));
      const chosen = Object.keys(raw).map((k) => /^component_(\d{1,10})$/.exec(k)).filter((m) => m && valid.has(Number(m[1])));
      await repo.replaceComponents(trx, row.id, new Map(chosen.map((m) => [Number(m![1]), 'maintenance' as Impact])));
    }
  });
}

/** Deletes a draft; a published post stays (its history is public). */
export async function discardDraft(deps: PostDeps, accountId: number, pageId: number, postId: number, by?: AuditBy): Promise<void> {
  await writeTx(deps.db, async (trx) => {
    const row = await ownPost(trx, accountId, pageId, postId);
    if (row.published_at !== null) throw new ConflictError('Only drafts can be discarded; this post is already public.');
    await repo.deletePost(trx, row.id);
    await auditPost(trx, by, accountId, `${row.kind}_post.discarded`, { id: row.id, pageId, title: row.title }, deps.clock.now());
  });
}

/** The post-mortem of a resolved incident (or completed maintenance), in Markdown. */
export async function savePostmortem(deps: PostDeps, accountId: number, pageId: number, postId: number, raw: { postmortem?: string }, by?: AuditBy): Promise<void> {
  const input = parseInput(postmortemSchema, raw);
  await writeTx(deps.db, async (trx) => {
    const row = await ownPost(trx, accountId, pageId, postId);
    const state = row.kind === 'maintenance' ? maintenanceState(row.state, row.scheduled_start, row.scheduled_end, deps.clock.now()) : row.state;
    if (!isDone({ kind: row.kind as Post['kind'], state })) {
      throw new ValidationError('A post-mortem can be written once the incident is resolved', { postmortem: 'Resolve the incident first' });
    }
    await repo.updatePost(trx, row.id, { postmortem: input.postmortem, updated_at: deps.clock.now() });
    await auditPost(trx, by, accountId, `${row.kind}_post.postmortem_saved`, { id: row.id, pageId, title: row.title }, deps.clock.now());
  });
}

export { INCIDENT_STATES };
