import type { DayBar } from '../domain/checks/uptime.service.ts';
import { type PublicStatus, publicComponentJson, toPublicJson } from '../domain/statuspages/statuspages.service.ts';

/** Angle brackets and ampersands as \u escapes: the same data, and never markup if sniffed as HTML. */
function escapeMarkup(json: string): string {
  return json.replace(/[<>&]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// The JSON of a monitor's settled bars, kept as long as the bars array itself is (one day).
const settledJson = new WeakMap<readonly DayBar[], string>();

/**
 * A component's bars: the settled days' JSON is written once a day and reused, so a page of
 * thousands of monitors serialises only the last two days of each on a rebuild. Bars hold
 * dates and numbers only, so they need no escaping.
 */
function daysJson(days: DayBar[], settled: readonly DayBar[] | undefined): string {
  if (!settled?.length || days.length < settled.length) return JSON.stringify(days);
  let head = settledJson.get(settled);
  if (head === undefined) {
    head = JSON.stringify(settled).slice(0, -1);
    settledJson.set(settled, head);
  }
  const rest = days.slice(settled.length);
  return rest.length ? `${head},${JSON.stringify(rest).slice(1)}` : `${head}]`;
}

/** The body of /s/<slug>/api: the page's public JSON plus its published posts. */
export function statusJsonText(s: PublicStatus, posts: unknown): string {
  const { components: _c, ...rest } = toPublicJson(s);
  const components = s.components.map((c) => {
    const { days, ...head } = publicComponentJson(c);
    const start = escapeMarkup(JSON.stringify(head)).slice(0, -1);
    return `${start},"days":${days === null ? 'null' : daysJson(days, c.settledDays)}}`;
  });
  return `${escapeMarkup(JSON.stringify({ ...rest, posts })).slice(0, -1)},"components":[${components.join(',')}]}`;
}
