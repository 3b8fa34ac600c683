import type { Client } from './app.ts';

/** The settings page of a client's first status page, found through the old /settings/status-page redirect. */
export async function settingsPath(client: Client): Promise<string> {
  const res = await client.get('/settings/status-page');
  const to = res.headers.get('location') ?? '';
  if (res.status !== 302 || !/^\/pages\/\d+$/.test(to)) throw new Error(`no first page: ${res.status} ${to}`);
  return to;
}

/** Days covered by the day bars: each bar element is a run of days (flex-grow = its length). */
export function barDays(html: string): number {
  return [...html.matchAll(/<i class="b b\d"(?: style="flex-grow:(\d+)")? title="\d{4}-\d{2}-\d{2}/g)].reduce((n, m) => n + Number(m[1] ?? 1), 0);
}
