import type { PublicPosts } from '../domain/statuspages/posts.public.ts';
import { STATE_LABELS } from '../domain/statuspages/posts.ts';
import type { PublicStatus } from '../domain/statuspages/statuspages.service.ts';
import { markdownExcerpt } from '../lib/markdown.ts';
import { statusName } from './format.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Entry {
  id: string;
  title: string;
  summary: string;
  updated: string;
  link: string;
}

/**
 * Published incident and maintenance posts of a status page as feed entries, newest first,
 * each linking to the post's own page, plus the monitors' maintenance windows. Raw monitor
 * outages are not listed: what the public reads is what the team wrote.
 */
export function feedEntries(s: PublicStatus, posts: PublicPosts, pageUrl: string): Entry[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const fromPosts = [...posts.active, ...posts.maintenance, ...posts.past].map((p) => {
    const latest = p.updates.at(-1);
    const when = p.kind === 'maintenance' ? ` (${iso(p.scheduledStart ?? 0)} to ${iso(p.scheduledEnd ?? 0)})` : '';
    return {
      id: `${pageUrl}/incidents/${p.id}`,
      title: `${p.kind === 'maintenance' ? 'Maintenance: ' : ''}${p.title} [${STATE_LABELS[p.state] ?? p.state}]`,
      summary: `${latest ? markdownExcerpt(latest.body) : ''}${when}`,
      updated: iso(Math.max(latest?.createdAt ?? 0, p.publishedAt ?? 0, p.updatedAt)),
      link: `${pageUrl}/incidents/${p.id}`,
    };
  });
  const maintenance = s.maintenance.map((w) => ({
    id: `${pageUrl}#maintenance-${w.id}-${w.starts_at}`,
    title: `${w.active ? 'Under maintenance' : 'Scheduled maintenance'}: ${w.title}`,
    summary: `From ${w.starts_at} to ${w.ends_at}.`,
    updated: w.starts_at,
    link: pageUrl,
  }));
  return [...fromPosts, ...maintenance].sort((a, b) => b.updated.localeCompare(a.updated));
}

export function atomFeed(s: PublicStatus, posts: PublicPosts, pageUrl: string, feedUrl: string): string {
  const entries = feedEntries(s, posts, pageUrl);
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>${esc(statusName(s.page.title))}</title>
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

export function rssFeed(s: PublicStatus, posts: PublicPosts, pageUrl: string): string {
  const entries = feedEntries(s, posts, pageUrl);
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>${esc(statusName(s.page.title))}</title>
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
