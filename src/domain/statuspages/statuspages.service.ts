import type { MonitorStatus } from '../checks/state-machine.ts';
import type { Db } from '../../db/create-db.ts';
import { type Clock, DAY } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { isDbId } from '../../lib/ids.ts';
import { rollupMatrix } from '../checks/checks.repository.ts';
import { uptimePercent } from '../checks/rollups.ts';
import { type DayBar, historyFor, type SettledHistoryCache, type UptimeSummary } from '../checks/uptime.service.ts';
import { publicWindows } from '../alerts/maintenance.service.ts';
import * as incidents from '../incidents/incidents.repository.ts';
import { displayStatus, type DisplayStatus } from '../monitors/monitors.ts';
import * as monitorsRepo from '../monitors/monitors.repository.ts';
import { versionsOf } from './assets.repository.ts';
import * as components from './components.repository.ts';
import * as pages from './pages.repository.ts';
import type { ManualStatus } from './components.service.ts';
import { postedImpacts } from './posts.public.ts';
import type { Impact } from './posts.ts';
import { type FooterLink, footerLinksOf } from './pages.service.ts';

export type OverallStatus = 'operational' | 'degraded' | 'partial_outage' | 'major_outage';

export interface PageLook {
  description: string;
  footerText: string;
  footerLinks: FooterLink[];
  barDays: number;
  accent: string;
  theme: 'auto' | 'light' | 'dark';
  hidePoweredBy: boolean;
  /** Asset versions (updated_at) for cache-busting URLs; null = none uploaded. */
  logo: number | null;
  favicon: number | null;
}

export type ComponentStatus = DisplayStatus | ManualStatus;

export interface PublicComponent {
  /** page_components.id */
  id: number;
  kind: 'monitor' | 'manual';
  monitor_id: number | null;
  group_id: number | null;
  name: string;
  description: string;
  status: ComponentStatus;
  /** Monitors only; manual components have no history. */
  uptime: UptimeSummary | null;
  days: DayBar[];
  /** The settled part of `days`, shared between builds (see MonitorHistory.settledDays). */
  settledDays?: readonly DayBar[];
  retrying: boolean;
  maintenance: boolean;
}

export interface PublicStatus {
  page: { id: number; slug: string; title: string };
  look: PageLook;
  accountName: string;
  status: OverallStatus;
  /** Groups that have at least one visible component, in page order. */
  groups: Array<{ id: number; name: string }>;
  /** Visible components: ungrouped first, then by group, each in component order. */
  components: PublicComponent[];
  /** The monitor components (compatibility with the JSON's original `monitors`). */
  monitors: Array<{ id: number; name: string; status: DisplayStatus; uptime: UptimeSummary; days: DayBar[]; retrying: boolean; maintenance: boolean }>;
  /** Names of manual components set to maintenance, announced under the banner (windows and maintenance posts have their own notice). */
  underMaintenance: string[];
  incidents: Array<{ id: number; monitor_id: number; title: string; cause: string; started_at: string; resolved_at: string | null }>;
  maintenance: Array<{ id: number; title: string; active: boolean; starts_at: string; ends_at: string; monitor_ids: number[] }>;
  generated_at: string;
}

/**
 * Overall banner: any component down (a monitor down, or a manual major outage) → partial
 * outage, or major outage when every component that has an opinion is down; a manual partial
 * outage is at least a partial outage; a degraded component or a monitor failing below its
 * threshold → degraded. Components under maintenance are announced, not counted.
 */
export function overallStatus(components: Array<{ status: ComponentStatus; retrying: boolean; maintenance?: boolean }>): OverallStatus {
  const counted = components.filter((m) => !m.maintenance && m.status !== 'maintenance');
  const isDown = (s: ComponentStatus) => s === 'down' || s === 'major_outage';
  const active = counted.filter((m) => ['up', 'down', 'operational', 'partial_outage', 'major_outage'].includes(m.status));
  const down = active.filter((m) => isDown(m.status)).length;
  const partial = active.some((m) => m.status === 'partial_outage');
  if (down > 0 || partial) return down === active.length ? 'major_outage' : 'partial_outage';
  if (counted.some((m) => m.status === 'degraded' || (m.retrying && m.status !== 'paused'))) return 'degraded';
  return 'operational';
}

const INCIDENT_WINDOW = 14 * DAY;

const SEVERITY: Partial<Record<ComponentStatus, number>> = { degraded: 1, partial_outage: 2, down: 3, major_outage: 3 };
const IMPACT_STATUS: Record<Exclude<Impact, 'maintenance'>, ComponentStatus> = { degraded_performance: 'degraded', partial_outage: 'partial_outage', major_outage: 'major_outage' };

/**
 * What the team posted wins when it is worse than what the monitors see: a published open
 * incident's impact raises the component's status, and a maintenance post in progress marks it
 * as under maintenance (announced, not counted as an outage).
 */
function withPostedImpact(c: PublicComponent, impact: Impact | undefined): void {
  if (!impact) return;
  if (impact === 'maintenance') {
    c.maintenance = true;
    return;
  }
  const s = IMPACT_STATUS[impact];
  if ((SEVERITY[s] ?? 0) > (SEVERITY[c.status] ?? 0)) c.status = s;
}

export async function findPage(db: Db, slug: string) {
  const page = await pages.findBySlugWithAccount(db, slug);
  if (!page) throw new NotFoundError('Status page');
  return page;
}

/**
 * The components a visitor may see, in display order: components of private monitors are
 * dropped here, so no public surface can show them; groups left empty are dropped too.
 */
export async function visibleComponents(db: Db, pageId: number) {
  const [groups, rows] = await Promise.all([components.listGroups(db, pageId), components.listComponents(db, pageId)]);
  const shown = rows.filter((c) => c.monitor_id === null || c.monitor_public === 1);
  const groupOrder = new Map(groups.map((g, i) => [g.id, i]));
  // Ungrouped first, then groups in their order; inside each, component order (rows come sorted).
  const rank = (c: (typeof shown)[number]) => (c.group_id === null || !groupOrder.has(c.group_id) ? -1 : groupOrder.get(c.group_id)!);
  const ordered = shown.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((x) => x.c);
  const used = new Set(ordered.map((c) => c.group_id));
  return { groups: groups.filter((g) => used.has(g.id)).map((g) => ({ id: g.id, name: g.name })), rows: ordered };
}

export async function getPublicStatus(deps: { db: Db; clock: Clock; history?: SettledHistoryCache }, slug: string): Promise<PublicStatus> {
  const page = await findPage(deps.db, slug);
  const now = deps.clock.now();
  const { groups, rows } = await visibleComponents(deps.db, page.id);
  const monitorIds = rows.flatMap((c) => (c.monitor_id === null ? [] : [c.monitor_id]));
  const visibleIds = new Set(monitorIds);
  // Independent reads, issued together (each is a small indexed query).
  const [history, windows, posted] = await Promise.all([
    historyFor(deps.db, monitorIds, now, true, deps.history),
    publicWindows(deps.db, page.account_id, now),
    postedImpacts(deps.db, page.id, now),
  ]);
  const maintenance = windows
    .map((w) => ({ ...w, monitorIds: w.monitorIds.filter((id) => visibleIds.has(id)) }))
    .filter((w) => w.monitorIds.length > 0);
  const underMaintenance = new Set(maintenance.filter((w) => w.active).flatMap((w) => w.monitorIds));
  const list: PublicComponent[] = [];
  for (const c of rows) {
    const group_id = groups.some((g) => g.id === c.group_id) ? c.group_id : null;
    if (c.monitor_id !== null) {
      const h = history.get(c.monitor_id)!;
      const status = c.monitor_status as MonitorStatus;
      list.push({
        id: c.id, kind: 'monitor', monitor_id: c.monitor_id, group_id, name: c.name || c.monitor_name || '', description: c.description,
        status: displayStatus({ isPaused: c.monitor_paused === 1, status }), uptime: h.uptime, days: h.days, settledDays: h.settledDays,
        retrying: status !== 'down' && (c.monitor_failures ?? 0) > 0, maintenance: underMaintenance.has(c.monitor_id),
      });
    } else {
      const st = (c.manual_status ?? 'operational') as ManualStatus;
      list.push({ id: c.id, kind: 'manual', monitor_id: null, group_id, name: c.name ?? '', description: c.description, status: st, uptime: null, days: [], retrying: false, maintenance: st === 'maintenance' });
    }
  }
  for (const c of list) withPostedImpact(c, posted.get(c.id));
  const names = new Map(list.flatMap((c) => (c.monitor_id === null ? [] : [[c.monitor_id, c.name] as const])));
  const recent = (await incidents.listPublic(deps.db, page.account_id, now - INCIDENT_WINDOW)).filter((i) => visibleIds.has(i.monitor_id));
  const assets = await versionsOf(deps.db, page.id);
  const assetVersion = (kind: string) => assets.find((a) => a.kind === kind)?.updated_at ?? null;
  return {
    page: { id: page.id, slug: page.slug, title: page.title },
    look: {
      description: page.description,
      footerText: page.footer_text,
      footerLinks: footerLinksOf(page.footer_links),
      barDays: page.bar_days,
      accent: page.accent,
      theme: page.theme as PageLook['theme'],
      hidePoweredBy: page.hide_powered_by === 1,
      logo: assetVersion('logo'),
      favicon: assetVersion('favicon'),
    },
    accountName: page.account_name,
    status: overallStatus(list),
    groups,
    components: list,
    monitors: list
      .filter((c) => c.kind === 'monitor')
      .map((c) => ({ id: c.monitor_id!, name: c.name, status: c.status as DisplayStatus, uptime: c.uptime!, days: c.days, retrying: c.retrying, maintenance: c.maintenance })),
    // A component in a maintenance post in progress is named in that post's notice already.
    underMaintenance: list.filter((c) => c.kind === 'manual' && c.maintenance && posted.get(c.id) !== 'maintenance').map((c) => c.name),
    incidents: recent.map((i) => ({
      id: i.id,
      monitor_id: i.monitor_id,
      title: `${names.get(i.monitor_id) ?? i.name} outage`,
      cause: i.cause,
      started_at: new Date(i.started_at).toISOString(),
      resolved_at: i.resolved_at === null ? null : new Date(i.resolved_at).toISOString(),
    })),
    maintenance: maintenance.map((w) => ({
      id: w.id,
      title: w.title,
      active: w.active,
      starts_at: new Date(w.window.from).toISOString(),
      ends_at: new Date(w.window.to).toISOString(),
      monitor_ids: w.monitorIds,
    })),
    generated_at: new Date(now).toISOString(),
  };
}

/**
 * The documented JSON shape of /s/<slug>/api (no internal fields). Components carry the daily
 * bars; `monitors` (the original shape, kept for existing clients) carries status and uptime.
 */
export function toPublicJson(s: PublicStatus) {
  return {
    page: { slug: s.page.slug, title: s.page.title },
    status: s.status,
    monitors: s.monitors.map((m) => ({ id: m.id, name: m.name, status: m.status, uptime: m.uptime })),
    groups: s.groups,
    incidents: s.incidents.map(({ cause: _c, ...i }) => i),
    maintenance: s.maintenance,
    generated_at: s.generated_at,
    components: s.components.map(publicComponentJson),
  };
}

export function publicComponentJson(c: PublicComponent) {
  return {
    id: c.id, kind: c.kind, monitor_id: c.monitor_id, group_id: c.group_id, name: c.name, description: c.description,
    status: c.maintenance && c.kind === 'monitor' ? 'maintenance' : c.status, uptime: c.uptime, days: c.kind === 'monitor' ? c.days : null,
  };
}

/** What a badge shows: a public monitor that is a component of at least one public page; anything else is not found. */
export async function publicBadge(deps: { db: Db; clock: Clock }, monitorId: number) {
  const m = isDbId(monitorId) ? await monitorsRepo.findById(deps.db, monitorId) : undefined;
  if (!m || !m.isPublic || (await components.publicPageSlugOf(deps.db, m.id)) === null) throw new NotFoundError('Monitor');
  const h = (await historyFor(deps.db, [m.id], deps.clock.now(), false)).get(m.id)!;
  return { name: m.name, status: displayStatus(m), uptime: h.uptime };
}

/**
 * Whether a monitor has badges (the same rule as publicBadge): the slug of a public page to
 * link them to, or null for a private monitor or one on no public page.
 */
export async function badgeLink(deps: { db: Db }, m: { id: number; isPublic: boolean }): Promise<string | null> {
  return m.isPublic ? components.publicPageSlugOf(deps.db, m.id) : null;
}

/** A month of daily uptime per visible monitor component of the page, for the history calendar. */
export async function getHistory(deps: { db: Db; clock: Clock }, slug: string, month: string | undefined) {
  const page = await findPage(deps.db, slug);
  const now = deps.clock.now();
  const current = new Date(now).toISOString().slice(0, 7);
  const m = /^(\d{4})-(\d{2})$/.exec(month ?? '') && month! <= current ? month! : current;
  const [y, mo] = m.split('-').map(Number) as [number, number];
  const first = Date.UTC(y, mo - 1, 1);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const visible = (await visibleComponents(deps.db, page.id)).rows.filter((c) => c.monitor_id !== null);
  const matrix = await rollupMatrix(deps.db, 'rollups_daily', visible.map((x) => x.monitor_id!), first, DAY, days);
  const shift = (d: number) => new Date(Date.UTC(y, mo - 1 + d, 1)).toISOString().slice(0, 7);
  return {
    page: { slug: page.slug, title: page.title },
    month: m,
    prev: shift(-1),
    next: m < current ? shift(1) : null,
    firstWeekday: (new Date(first).getUTCDay() + 6) % 7, // Monday first
    monitors: visible.map((x) => {
      const d = matrix.get(x.monitor_id!);
      return {
        id: x.monitor_id!,
        name: x.name || x.monitor_name || '',
        days: Array.from({ length: days }, (_, i) => ({
          date: new Date(first + i * DAY).toISOString().slice(0, 10),
          uptime: d && first + i * DAY <= now ? uptimePercent(d.checks[i]!, d.failures[i]!) : null,
        })),
      };
    }),
  };
}

/** The account's status page (the default one) with its settings. */
export async function getOwnPage(db: Db, accountId: number) {
  const p = await pages.firstOwnPage(db, accountId);
  if (!p) throw new NotFoundError('Status page');
  return p;
}

