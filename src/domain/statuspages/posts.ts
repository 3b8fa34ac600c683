import { z } from 'zod';
import { isTimeZone, zonedToUtc } from '../../lib/timezone.ts';
import { nameText } from '../../lib/validate.ts';

/** Incident posts (Statuspage style) and maintenance posts: types, form schemas, pure rules. */

export const INCIDENT_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const MAINTENANCE_STATES = ['scheduled', 'in_progress', 'completed'] as const;
export const IMPACTS = ['degraded_performance', 'partial_outage', 'major_outage'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export type MaintenanceState = (typeof MAINTENANCE_STATES)[number];
export type Impact = (typeof IMPACTS)[number] | 'maintenance';
export type PostKind = 'incident' | 'maintenance';

export const STATE_LABELS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  completed: 'Completed',
};

const MAINTENANCE_NOTICES: Record<string, string> = {
  'maintenance.scheduled': 'Maintenance scheduled',
  'maintenance.started': 'Maintenance in progress',
  'maintenance.updated': 'Maintenance update',
  'maintenance.completed': 'Maintenance completed',
};

/**
 * The subject of a subscriber notice leads with where things stand, so a "resolved" email
 * does not read like the outage again: "Resolved: API is down", "Identified: …",
 * "Maintenance completed: …". An incident's label is its update's state.
 */
export function noticeSubject(event: string, state: string | undefined, title: string): string {
  const lead = MAINTENANCE_NOTICES[event] ?? (event === 'incident.resolved' ? STATE_LABELS.resolved : STATE_LABELS[state ?? '']) ?? 'Update';
  return `${lead}: ${title}`;
}

export const IMPACT_LABELS: Record<string, string> = {
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  maintenance: 'Under maintenance',
};

/**
 * How a post affects one of its components, in words: an incident's impact, or for a
 * maintenance what its state says (before the start it is only scheduled, not under way).
 */
export function effectLabel(p: { kind: string; state: string }, impact: string): string {
  if (p.kind === 'maintenance') return p.state === 'in_progress' ? 'Under maintenance' : p.state === 'completed' ? 'Maintenance completed' : 'Maintenance scheduled';
  return IMPACT_LABELS[impact] ?? impact;
}

/** Worse impacts rank higher; used to merge several posts touching one component. */
export const IMPACT_RANK: Record<Impact, number> = { maintenance: 0, degraded_performance: 1, partial_outage: 2, major_outage: 3 };

export function worseImpact(a: Impact | undefined, b: Impact): Impact {
  return a === undefined || IMPACT_RANK[b] > IMPACT_RANK[a] ? b : a;
}

export interface PostComponent {
  id: number;
  name: string;
  impact: Impact;
  /** The component shows a private monitor: listed in the dashboard, never on public surfaces. */
  hidden: boolean;
}

export interface PostUpdate {
  id: number;
  state: string;
  body: string;
  createdAt: number;
}

export interface Post {
  id: number;
  pageId: number;
  kind: PostKind;
  title: string;
  /** For maintenance, the state the clock says (a tick may not have stored it yet). */
  state: string;
  publishedAt: number | null;
  postmortem: string | null;
  incidentId: number | null;
  maintenanceWindowId: number | null;
  scheduledStart: number | null;
  scheduledEnd: number | null;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  components: PostComponent[];
  /** Oldest first. */
  updates: PostUpdate[];
}

/**
 * A maintenance post's state follows the clock: scheduled before its start, in progress
 * until its end, then completed; completing early (stored 'completed') wins.
 */
export function maintenanceState(stored: string, start: number | null, end: number | null, now: number): MaintenanceState {
  if (stored === 'completed') return 'completed';
  if (end !== null && now >= end) return 'completed';
  if (start !== null && now >= start) return 'in_progress';
  return 'scheduled';
}

export const isDone = (p: Pick<Post, 'kind' | 'state'>) => p.state === 'resolved' || p.state === 'completed';

const title = nameText().min(1, 'Give the post a title').max(200, 'Keep the title under 200 characters');
const message = z.string().trim().min(1, 'Write a message').max(20_000, 'Keep the message under 20,000 characters');
/** The title and message rules, for verbs that take typed input rather than a form. */
export const postTextSchema = z.object({ title, message });

export const incidentSchema = z.object({
  title,
  state: z.enum(INCIDENT_STATES, { message: 'Choose a state' }),
  message,
  publish: z.enum(['now', 'draft'], { message: 'Choose publish now or save as draft' }).optional().transform((v) => v ?? 'draft'),
});

export const updateSchema = z.object({
  state: z.enum(INCIDENT_STATES, { message: 'Choose a state' }),
  message,
});

export const editSchema = z.object({ title });

export const postmortemSchema = z.object({
  postmortem: z.string().trim().min(1, 'Write the post-mortem').max(50_000, 'Keep the post-mortem under 50,000 characters'),
});

export const templateSchema = z.object({
  name: nameText().min(1, 'Name the template').max(80, 'Keep the name under 80 characters'),
  title: nameText().max(200, 'Keep the title under 200 characters').optional().transform((v) => v ?? ''),
  state: z.enum(INCIDENT_STATES, { message: 'Choose a state' }),
  body: z.string().trim().min(1, 'Write the message').max(20_000, 'Keep the message under 20,000 characters'),
});

export const maintenanceSchema = z
  .object({
    title,
    message,
    timezone: z.string().trim().default('UTC').refine(isTimeZone, 'Unknown time zone (use a name like Europe/Paris or UTC)'),
    starts_at: z.string().optional(),
    ends_at: z.string().optional(),
    publish: z.enum(['now', 'draft']).optional().transform((v) => v ?? 'now'),
    window_id: z.string().optional(),
  })
  .transform((v, ctx) => {
    const ok = isTimeZone(v.timezone);
    const start = ok && v.starts_at ? zonedToUtc(v.starts_at, v.timezone) : null;
    const end = ok && v.ends_at ? zonedToUtc(v.ends_at, v.timezone) : null;
    if (ok && start === null) ctx.addIssue({ code: 'custom', path: ['starts_at'], message: 'Enter when the maintenance starts' });
    if (ok && end === null) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'Enter when the maintenance ends' });
    if (start !== null && end !== null && end <= start) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'The end must be after the start' });
    return { ...v, start: start ?? 0, end: end ?? 0 };
  });

/** `impact_<componentId>` form fields with a known impact; an empty value means "not affected". */
export function impactsFromForm(raw: Record<string, string>): Map<number, Impact> {
  const out = new Map<number, Impact>();
  for (const [k, v] of Object.entries(raw)) {
    const m = /^impact_(\d{1,10})$/.exec(k);
    if (m && (IMPACTS as readonly string[]).includes(v)) out.set(Number(m[1]), v as Impact);
  }
  return out;
}

/** `component_<id>` checkboxes (maintenance posts). */
export function componentsFromForm(raw: Record<string, string>): number[] {
  return Object.keys(raw)
    .map((k) => /^component_(\d{1,10})$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null && raw[m[0]] !== '')
    .map((m) => Number(m[1]));
}
