import type { PublicStatus } from '../domain/statuspages/statuspages.service.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Entry {
  id: string;
  title: string;
  summary: string;
  updated: string;
  link: string;
}

/** Incidents and maintenance of a status page as feed entries, newest first. */
export function feedEntries(s: PublicStatus, pageUrl: string): Entry[] {
  const incidents = s.incidents.map((i) => ({
    id: `${pageUrl}#incident-${i.id}`,
    title: `${i.title}${i.resolved_at ? ' (resolved)' : ''}`,
    summary: i.resolved_at ? `Started ${i.started_at}, resolved ${i.resolved_at}.` : `Ongoing since ${i.started_at}.`,
    updated: i.resolved_at ?? i.started_at,
    link: pageUrl,
  }));
  const maintenance = s.maintenance.map((w) => ({
    id: `${pageUrl}#maintenance-${w.id}-${w.starts_at}`,
    title: `${w.active ? 'Under maintenance' : 'Scheduled maintenance'}: ${w.title}`,
    summary: `From ${w.starts_at} to ${w.ends_at}.`,
    updated: w.starts_at,
    link: pageUrl,
  }));
  return [...incidents, ...maintenance].sort((a, b) => b.updated.localeCompare(a.updated));
}

export function atomFeed(s: PublicStatus, pageUrl: string, feedUrl: string): string {
  const entries = feedEntries(s, pageUrl);
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>${esc(s.page.title)} status</title>
<id>${esc(pageUrl)}</id>
<link href="${esc(pageUrl)}"/>
<link rel="self" href="${esc(feedUrl)}"/>
<updated>${entries[0]?.updated ?? s.generated_at}</updated>
${entries
  .map(
    (e) => `<entry><id>${esc(e.id)}</id><title>${esc(e.title)}</title><link href="${esc(e.link)}"/><updated>${e.updated}</updated><summary>${esc(e.summary)}</summary></entry>`,
  )
  .join('\n')}
</feed>
`;
}

export function rssFeed(s: PublicStatus, pageUrl: string): string {
  const entries = feedEntries(s, pageUrl);
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>${esc(s.page.title)} status</title>
<link>${esc(pageUrl)}</link>
<description>Incidents and maintenance of ${esc(s.page.title)}</description>
${entries
  .map(
    (e) =>
      `<item><guid isPermaLink="false">${esc(e.id)}</guid><title>${esc(e.title)}</title><link>${esc(e.link)}</link><pubDate>${new Date(e.updated).toUTCString()}</pubDate><description>${esc(e.summary)}</description></item>`,
  )
  .join('\n')}
</channel>
</rss>
`;
}
