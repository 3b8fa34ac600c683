import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { listComponents } from './components.repository.ts';
import type { Impact, PostComponent, PostUpdate } from './posts.ts';

type DbLike = Kysely<Database>;
export type PostRow = Selectable<Database['page_incidents']>;

/** A page's components with their display names (a monitor component shows its monitor's name unless renamed). */
export async function pageComponents(db: DbLike, pageId: number): Promise<Array<{ id: number; name: string; monitorId: number | null }>> {
  const rows = await listComponents(db, pageId);
  return rows.map((r) => ({ id: r.id, name: r.name || r.monitor_name || `Component ${r.id}`, monitorId: r.monitor_id }));
}

/** Every page component showing a monitor, with what an automatic draft needs of its page. */
export async function componentsOfMonitor(db: DbLike, monitorId: number) {
  const rows = await db
    .selectFrom('page_components')
    .innerJoin('status_pages', 'status_pages.id', 'page_components.page_id')
    .innerJoin('monitors', 'monitors.id', 'page_components.monitor_id')
    .select(['page_components.id', 'page_components.page_id', 'page_components.name', 'monitors.name as monitor_name', 'status_pages.account_id', 'status_pages.auto_publish', 'status_pages.slug'])
    .where('page_components.monitor_id', '=', monitorId)
    // A private monitor is never named on a public page, so it prepares no drafts either.
    .where('monitors.is_public', '=', 1)
    .orderBy('page_components.id')
    .execute();
  return rows.map((r) => ({ componentId: r.id, pageId: r.page_id, accountId: r.account_id, autoPublish: r.auto_publish === 1, slug: r.slug, name: r.name || r.monitor_name }));
}

export async function pageBySlug(db: DbLike, slug: string) {
  return db.selectFrom('status_pages').select(['id', 'slug', 'title', 'account_id']).where('slug', '=', slug).executeTakeFirst();
}

export async function pageSlug(db: DbLike, pageId: number): Promise<string> {
  const r = await db.selectFrom('status_pages').select('slug').where('id', '=', pageId).executeTakeFirstOrThrow();
  return r.slug;
}

export async function insertPost(
  db: DbLike,
  v: { accountId: number; pageId: number; kind: string; title: string; state: string; publishedAt: number | null; at: number; incidentId?: number | null; maintenanceWindowId?: number | null; scheduledStart?: number | null; scheduledEnd?: number | null },
): Promise<number> {
  const r = await db
    .insertInto('page_incidents')
    .values({
      account_id: v.accountId,
      page_id: v.pageId,
      kind: v.kind,
      title: v.title,
      state: v.state,
      published_at: v.publishedAt,
      postmortem: null,
      incident_id: v.incidentId ?? null,
      maintenance_window_id: v.maintenanceWindowId ?? null,
      scheduled_start: v.scheduledStart ?? null,
      scheduled_end: v.scheduledEnd ?? null,
      created_at: v.at,
      updated_at: v.at,
      resolved_at: v.state === 'resolved' || v.state === 'completed' ? v.at : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function insertUpdate(db: DbLike, postId: number, state: string, body: string, at: number): Promise<number> {
  const r = await db.insertInto('page_incident_updates').values({ page_incident_id: postId, state, body, created_at: at }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function replaceComponents(db: DbLike, postId: number, impacts: Map<number, Impact>): Promise<void> {
  await db.deleteFrom('page_incident_components').where('page_incident_id', '=', postId).execute();
  if (impacts.size === 0) return;
  await db
    .insertInto('page_incident_components')
    .values([...impacts].map(([component_id, impact]) => ({ page_incident_id: postId, component_id, impact })))
    .execute();
}

export async function findPost(db: DbLike, pageId: number, postId: number): Promise<PostRow | undefined> {
  return db.selectFrom('page_incidents').selectAll().where('page_id', '=', pageId).where('id', '=', postId).executeTakeFirst();
}

export async function listPosts(db: DbLike, pageId: number, limit = 200): Promise<PostRow[]> {
  return db.selectFrom('page_incidents').selectAll().where('page_id', '=', pageId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * One page of a status page's posts, newest (highest id) first, for the API. A maintenance
 * post's state is matched as the clock says it is (see maintenanceState), not as stored.
 */
export async function listPostsPage(
  db: DbLike,
  pageId: number,
  f: { kind?: string; state?: string; published?: boolean; beforeId?: number; limit: number; now: number },
): Promise<PostRow[]> {
  let q = db.selectFrom('page_incidents').selectAll().where('page_id', '=', pageId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.published !== undefined) q = q.where('published_at', f.published ? 'is not' : 'is', null);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  const now = f.now;
  if (f.state === 'completed') {
    q = q.where('kind', '=', 'maintenance').where((eb) => eb.or([eb('state', '=', 'completed'), eb('scheduled_end', '<=', now)]));
  } else if (f.state === 'in_progress') {
    q = q.where('kind', '=', 'maintenance').where('state', '!=', 'completed').where('scheduled_start', '<=', now).where('scheduled_end', '>', now);
  } else if (f.state === 'scheduled') {
    q = q.where('kind', '=', 'maintenance').where('state', '!=', 'completed').where('scheduled_start', '>', now).where('scheduled_end', '>', now);
  } else if (f.state) {
    q = q.where('kind', '=', 'incident').where('state', '=', f.state);
  }
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/**
 * Published posts a status page shows: open incidents, maintenance not completed yet, and
 * everything resolved or completed since `since`.
 */
export async function listPublished(db: DbLike, pageId: number, since: number, limit = 50): Promise<PostRow[]> {
  return db
    .selectFrom('page_incidents')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('published_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'incident'), eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', since)])]),
        eb.and([eb('kind', '=', 'maintenance'), eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', since)]), eb('scheduled_end', '>=', since)]),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function componentsOf(db: DbLike, postIds: number[]): Promise<Map<number, PostComponent[]>> {
  const out = new Map<number, PostComponent[]>();
  if (postIds.length === 0) return out;
  const rows = await db
    .selectFrom('page_incident_components')
    .innerJoin('page_components', 'page_components.id', 'page_incident_components.component_id')
    .leftJoin('monitors', 'monitors.id', 'page_components.monitor_id')
    .select(['page_incident_components.page_incident_id', 'page_components.id', 'page_components.name', 'monitors.name as monitor_name', 'monitors.is_public', 'page_incident_components.impact'])
    .where('page_incident_components.page_incident_id', 'in', postIds)
    .orderBy('page_components.position')
    .orderBy('page_components.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.page_incident_id) ?? [];
    list.push({ id: r.id, name: r.name || r.monitor_name || `Component ${r.id}`, impact: r.impact as Impact, hidden: r.is_public === 0 });
    out.set(r.page_incident_id, list);
  }
  return out;
}

export async function updatesOf(db: DbLike, postIds: number[]): Promise<Map<number, PostUpdate[]>> {
  const out = new Map<number, PostUpdate[]>();
  if (postIds.length === 0) return out;
  const rows = await db.selectFrom('page_incident_updates').selectAll().where('page_incident_id', 'in', postIds).orderBy('created_at').orderBy('id').execute();
  for (const r of rows) {
    const list = out.get(r.page_incident_id) ?? [];
    list.push({ id: r.id, state: r.state, body: r.body, createdAt: r.created_at });
    out.set(r.page_incident_id, list);
  }
  return out;
}

export async function updatePost(
  db: DbLike,
  postId: number,
  patch: Partial<Pick<PostRow, 'title' | 'state' | 'published_at' | 'postmortem' | 'resolved_at' | 'updated_at' | 'scheduled_start' | 'scheduled_end'>>,
): Promise<void> {
  await db.updateTable('page_incidents').set(patch).where('id', '=', postId).execute();
}

/** Publishes a draft; false when it was already published (two clicks, one publication). */
export async function markPublished(db: DbLike, postId: number, at: number): Promise<boolean> {
  const r = await db.updateTable('page_incidents').set({ published_at: at, updated_at: at }).where('id', '=', postId).where('published_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deletePost(db: DbLike, postId: number): Promise<void> {
  await db.deleteFrom('page_incidents').where('id', '=', postId).execute();
}

export async function findByIncident(db: DbLike, pageId: number, incidentId: number): Promise<PostRow | undefined> {
  return db.selectFrom('page_incidents').selectAll().where('page_id', '=', pageId).where('incident_id', '=', incidentId).executeTakeFirst();
}

export async function openPostsOfIncident(db: DbLike, incidentId: number): Promise<PostRow[]> {
  return db.selectFrom('page_incidents').selectAll().where('incident_id', '=', incidentId).where('resolved_at', 'is', null).execute();
}

/** Published maintenance posts whose stored state lags behind the clock. */
export async function maintenanceDue(db: DbLike, now: number): Promise<PostRow[]> {
  return db
    .selectFrom('page_incidents')
    .selectAll()
    .where('kind', '=', 'maintenance')
    .where('published_at', 'is not', null)
    .where((eb) => eb.or([eb.and([eb('state', '=', 'scheduled'), eb('scheduled_start', '<=', now)]), eb.and([eb('state', '=', 'in_progress'), eb('scheduled_end', '<=', now)])]))
    .limit(500)
    .execute();
}

/** Moves a maintenance post from one state to the next; false when another tick got there first. */
export async function advanceState(db: DbLike, postId: number, from: string, to: string, at: number): Promise<boolean> {
  const r = await db
    .updateTable('page_incidents')
    .set({ state: to, updated_at: at, ...(to === 'completed' ? { resolved_at: at } : {}) })
    .where('id', '=', postId)
    .where('state', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Component impacts of published incidents not resolved yet and of maintenance running at `now`. */
export async function openImpacts(db: DbLike, pageId: number, now: number) {
  return db
    .selectFrom('page_incident_components')
    .innerJoin('page_incidents', 'page_incidents.id', 'page_incident_components.page_incident_id')
    .select(['page_incident_components.component_id', 'page_incident_components.impact'])
    .where('page_incidents.page_id', '=', pageId)
    .where('page_incidents.published_at', 'is not', null)
    .where('page_incidents.resolved_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('page_incidents.kind', '=', 'incident'),
        eb.and([eb('page_incidents.scheduled_start', '<=', now), eb('page_incidents.scheduled_end', '>', now)]),
      ]),
    )
    .execute();
}

/** A one-off maintenance window of the account, to prefill a maintenance post. */
export async function findWindow(db: DbLike, accountId: number, windowId: number) {
  const w = await db
    .selectFrom('maintenance_windows')
    .select(['id', 'title', 'starts_at', 'ends_at', 'timezone', 'cron'])
    .where('account_id', '=', accountId)
    .where('id', '=', windowId)
    .executeTakeFirst();
  if (!w) return undefined;
  const monitors = await db.selectFrom('maintenance_monitors').select('monitor_id').where('window_id', '=', windowId).execute();
  return { ...w, monitorIds: monitors.map((m) => m.monitor_id) };
}

export async function listOneOffWindows(db: DbLike, accountId: number, now: number) {
  return db
    .selectFrom('maintenance_windows')
    .select(['id', 'title', 'starts_at', 'ends_at'])
    .where('account_id', '=', accountId)
    .where('cron', 'is', null)
    .where('ends_at', '>', now)
    .where('ended_at', 'is', null)
    .orderBy('starts_at')
    .execute();
}

// Templates: per account.
export type TemplateRow = Selectable<Database['incident_templates']>;

export function listTemplates(db: DbLike, accountId: number): Promise<TemplateRow[]> {
  return db.selectFrom('incident_templates').selectAll().where('account_id', '=', accountId).orderBy(sql`lower(name)`).orderBy('id').execute();
}

export function findTemplate(db: DbLike, accountId: number, id: number): Promise<TemplateRow | undefined> {
  return db.selectFrom('incident_templates').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

export async function insertTemplate(db: DbLike, accountId: number, v: { name: string; title: string; state: string; body: string }, at: number): Promise<number> {
  const r = await db.insertInto('incident_templates').values({ account_id: accountId, ...v, created_at: at }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateTemplate(db: DbLike, accountId: number, id: number, v: { name: string; title: string; state: string; body: string }): Promise<boolean> {
  const r = await db.updateTable('incident_templates').set(v).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteTemplate(db: DbLike, accountId: number, id: number): Promise<boolean> {
  const r = await db.deleteFrom('incident_templates').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
