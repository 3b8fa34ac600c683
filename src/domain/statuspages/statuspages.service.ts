import type { Db } from '../../db/create-db.ts';
import { type Clock, DAY } from '../../lib/clock.ts';
import { z } from 'zod';
import { NotFoundError, PlanLimitError, ValidationError } from '../../lib/errors.ts';
import { hashPassword } from '../../lib/password.ts';
import { parseInput } from '../../lib/validate.ts';
import type { PlanPolicy } from '../billing/plans.ts';
import { isDbId } from '../../lib/ids.ts';
import { rollupMatrix } from '../checks/checks.repository.ts';
import { uptimePercent } from '../checks/rollups.ts';
import { type DayBar, historyFor, type UptimeSummary } from '../checks/uptime.service.ts';
import { publicWindows } from '../alerts/maintenance.service.ts';
import * as incidents from '../incidents/incidents.repository.ts';
import { displayStatus, type DisplayStatus } from '../monitors/monitors.ts';
import * as monitorsRepo from '../monitors/monitors.repository.ts';

export type OverallStatus = 'operational' | 'degraded' | 'partial_outage' | 'major_outage';

export interface PageLook {
  description: string;
  footerText: string;
  barDays: number;
  accent: string;
  theme: 'auto' | 'light' | 'dark';
  hidePoweredBy: boolean;
}

export interface PublicStatus {
  page: { slug: string; title: string };
  look: PageLook;
  accountName: string;
  status: OverallStatus;
  monitors: Array<{ id: number; name: string; status: DisplayStatus; uptime: UptimeSummary; days: DayBar[]; retrying: boolean; maintenance: boolean }>;
  incidents: Array<{ id: number; monitor_id: number; title: string; cause: string; started_at: string; resolved_at: string | null }>;
  maintenance: Array<{ id: number; title: string; active: boolean; starts_at: string; ends_at: string; monitor_ids: number[] }>;
  generated_at: string;
}

/**
 * Overall banner: any monitor down → partial outage, or major outage when every monitor
 * that has an opinion is down; a monitor failing below its threshold → degraded.
 */
export function overallStatus(monitors: Array<{ status: DisplayStatus; retrying: boolean; maintenance?: boolean }>): OverallStatus {
  // Components under planned maintenance are announced separately, not counted as an outage.
  monitors = monitors.filter((m) => !m.maintenance);
  const active = monitors.filter((m) => m.status === 'up' || m.status === 'down');
  const down = active.filter((m) => m.status === 'down').length;
  if (down > 0) return down === active.length ? 'major_outage' : 'partial_outage';
  if (monitors.some((m) => m.status === 'degraded' || (m.retrying && m.status !== 'paused'))) return 'degraded';
  return 'operational';
}

const INCIDENT_WINDOW = 14 * DAY;

export async function findPage(db: Db, slug: string) {
  const page = await db
    .selectFrom('status_pages')
    .innerJoin('accounts', 'accounts.id', 'status_pages.account_id')
    .select([
      'status_pages.slug', 'status_pages.title', 'status_pages.account_id', 'accounts.name as account_name', 'accounts.plan',
      'status_pages.description', 'status_pages.footer_text', 'status_pages.bar_days', 'status_pages.accent', 'status_pages.theme', 'status_pages.hide_powered_by',
    ])
    .where('status_pages.slug', '=', slug)
    .executeTakeFirst();
  if (!page) throw new NotFoundError('Status page');
  return page;
}

export async function getPublicStatus(deps: { db: Db; clock: Clock }, slug: string): Promise<PublicStatus> {
  const page = await findPage(deps.db, slug);
  const now = deps.clock.now();
  const all = await monitorsRepo.listByAccount(deps.db, page.account_id);
  const visible = all.filter((m) => m.isPublic);
  const history = await historyFor(deps.db, visible.map((m) => m.id), now);
  const visibleIds = new Set(visible.map((m) => m.id));
  const maintenance = (await publicWindows(deps.db, page.account_id, now))
    .map((w) => ({ ...w, monitorIds: w.monitorIds.filter((id) => visibleIds.has(id)) }))
    .filter((w) => w.monitorIds.length > 0);
  const underMaintenance = new Set(maintenance.filter((w) => w.active).flatMap((w) => w.monitorIds));
  const monitors = visible.map((m) => {
    const h = history.get(m.id)!;
    return {
      id: m.id,
      name: m.name,
      status: displayStatus(m),
      uptime: h.uptime,
      days: h.days,
      retrying: m.status !== 'down' && m.consecutiveFailures > 0,
      maintenance: underMaintenance.has(m.id),
    };
  });
  const recent = await incidents.listPublic(deps.db, page.account_id, now - INCIDENT_WINDOW);
  return {
    page: { slug: page.slug, title: page.title },
    look: {
      description: page.description,
      footerText: page.footer_text,
      barDays: page.bar_days,
      accent: page.accent,
      theme: page.theme as PageLook['theme'],
      hidePoweredBy: page.hide_powered_by === 1,
    },
    accountName: page.account_name,
    status: overallStatus(monitors),
    monitors,
    incidents: recent.map((i) => ({
      id: i.id,
      monitor_id: i.monitor_id,
      title: `${i.name} outage`,
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

/** The documented JSON shape of /s/<slug>/api (no internal fields). */
export function toPublicJson(s: PublicStatus) {
  return {
    page: s.page,
    status: s.status,
    monitors: s.monitors.map((m) => ({ id: m.id, name: m.name, status: m.status, uptime: m.uptime, days: m.days })),
    incidents: s.incidents.map(({ cause: _c, ...i }) => i),
    maintenance: s.maintenance,
    generated_at: s.generated_at,
  };
}

/** What a badge shows for a public monitor; private or unknown monitors are not found. */
export async function publicBadge(deps: { db: Db; clock: Clock }, monitorId: number) {
  const m = isDbId(monitorId) ? await monitorsRepo.findById(deps.db, monitorId) : undefined;
  if (!m || !m.isPublic) throw new NotFoundError('Monitor');
  // An account whose status page is private shows no badges either.
  const page = await deps.db.selectFrom('status_pages').select('access').where('account_id', '=', m.accountId).orderBy('id').executeTakeFirst();
  if (page && page.access !== 'public') throw new NotFoundError('Monitor');
  const h = (await historyFor(deps.db, [m.id], deps.clock.now(), false)).get(m.id)!;
  return { name: m.name, status: displayStatus(m), uptime: h.uptime };
}

/** A month of daily uptime per public component, for the history calendar. */
export async function getHistory(deps: { db: Db; clock: Clock }, slug: string, month: string | undefined) {
  const page = await findPage(deps.db, slug);
  const now = deps.clock.now();
  const current = new Date(now).toISOString().slice(0, 7);
  const m = /^(\d{4})-(\d{2})$/.exec(month ?? '') && month! <= current ? month! : current;
  const [y, mo] = m.split('-').map(Number) as [number, number];
  const first = Date.UTC(y, mo - 1, 1);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const visible = (await monitorsRepo.listByAccount(deps.db, page.account_id)).filter((x) => x.isPublic);
  const matrix = await rollupMatrix(deps.db, 'rollups_daily', visible.map((x) => x.id), first, DAY, days);
  const shift = (d: number) => new Date(Date.UTC(y, mo - 1 + d, 1)).toISOString().slice(0, 7);
  return {
    page: { slug: page.slug, title: page.title },
    month: m,
    prev: shift(-1),
    next: m < current ? shift(1) : null,
    firstWeekday: (new Date(first).getUTCDay() + 6) % 7, // Monday first
    monitors: visible.map((x) => {
      const d = matrix.get(x.id);
      return {
        id: x.id,
        name: x.name,
        days: Array.from({ length: days }, (_, i) => ({
          date: new Date(first + i * DAY).toISOString().slice(0, 10),
          uptime: d && first + i * DAY <= now ? uptimePercent(d.checks[i]!, d.failures[i]!) : null,
        })),
      };
    }),
  };
}

export const pageSettingsSchema = z.object({
  title: z.string().trim().min(1, 'Give the page a title').max(80, 'Keep the title under 80 characters'),
  description: z.string().trim().max(500, 'Keep the description under 500 characters').optional().transform((v) => v ?? ''),
  footer_text: z.string().trim().max(300, 'Keep the footer under 300 characters').optional().transform((v) => v ?? ''),
  bar_days: z.coerce.number().refine((n) => n === 30 || n === 60 || n === 90, 'Choose 30, 60 or 90 days'),
  accent: z.string().trim().regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #4f46e5'),
  theme: z.enum(['auto', 'light', 'dark'], { message: 'Choose auto, light or dark' }),
  hide_powered_by: z.union([z.boolean(), z.string()]).optional().transform((v) => v === true || v === 'on' || v === 'true'),
  access: z.enum(['public', 'password', 'members'], { message: 'Choose who can see the page' }).optional().transform((v) => v ?? 'public'),
  page_password: z.string().max(200, 'Keep the password under 200 characters').optional().transform((v) => v ?? ''),
  custom_domain: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => v || '')
    .refine((v) => v === '' || /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(v), 'A host name like status.example.com'),
});

/** The account's status page (the default one) with its settings. */
export async function getOwnPage(db: Db, accountId: number) {
  const p = await db.selectFrom('status_pages').selectAll().where('account_id', '=', accountId).orderBy('id').executeTakeFirst();
  if (!p) throw new NotFoundError('Status page');
  return p;
}

/** Saves the page's look; hiding "Powered by StatusPing" needs a paid plan (or self-hosting). */
/** Same registrable domain (approximated by the last two labels) as the instance's host. */
function sameSite(domain: string, ownHost: string): boolean {
  const base = (h: string) => h.toLowerCase().split('.').slice(-2).join('.');
  const own = ownHost.toLowerCase();
  return domain === own || domain.endsWith(`.${own}`) || base(domain) === base(own);
}

export async function updateOwnPage(deps: { db: Db; policy: PlanPolicy; ownHost?: string }, accountId: number, raw: unknown) {
  const input = parseInput(pageSettingsSchema, raw);
  const page = await getOwnPage(deps.db, accountId);
  const account = await deps.db.selectFrom('accounts').select('plan').where('id', '=', accountId).executeTakeFirstOrThrow();
  if (input.hide_powered_by && !deps.policy.selfHosted && account.plan === 'free') {
    throw new PlanLimitError('Hiding "Powered by StatusPing" needs the Pro or Business plan.', { hide_powered_by: 'Pro or Business plan only' });
  }
  if (input.custom_domain && !deps.policy.selfHosted && account.plan !== 'business') {
    throw new PlanLimitError('Custom domains come with the Business plan.', { custom_domain: 'Business plan only' });
  }
  if (input.custom_domain && deps.ownHost && sameSite(input.custom_domain, deps.ownHost)) {
    throw new ValidationError('That name belongs to this StatusPing instance', { custom_domain: 'That name belongs to this StatusPing instance' });
  }
  if (input.custom_domain && input.access === 'members') {
    // Session cookies belong to the instance's own host and are never sent to a custom domain.
    throw new ValidationError('A members-only page cannot use a custom domain', { custom_domain: 'Not with a members-only page' });
  }
  if (input.access === 'password' && !input.page_password && !page.password_hash) {
    throw new ValidationError('Set a password for the page', { page_password: 'Set a password for the page' });
  }
  if (input.page_password && input.page_password.length < 8) throw new ValidationError('Use at least 8 characters', { page_password: 'Use at least 8 characters' });
  if (input.custom_domain) {
    const taken = await deps.db.selectFrom('status_pages').select('id').where('custom_domain', '=', input.custom_domain).where('id', '!=', page.id).executeTakeFirst();
    if (taken) throw new ValidationError('That domain is already used by another status page', { custom_domain: 'Already used by another status page' });
  }
  const { page_password, custom_domain, ...look } = input;
  await deps.db
    .updateTable('status_pages')
    .set({
      ...look,
      hide_powered_by: look.hide_powered_by ? 1 : 0,
      custom_domain: custom_domain || null,
      ...(page_password ? { password_hash: await hashPassword(page_password) } : {}),
    })
    .where('id', '=', page.id)
    .where('account_id', '=', accountId)
    .execute();
  return getOwnPage(deps.db, accountId);
}
