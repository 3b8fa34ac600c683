import type { Db } from '../../db/create-db.ts';
import { findOwnPage, listOwnPages } from './pages.repository.ts';
import { type DomainStatus, domainStatus } from './domains.ts';
import { listComponentsOfPages, listGroupsOfPages } from './components.repository.ts';

export interface PageComponentView {
  id: number;
  name: string;
  description: string;
  groupId: number | null;
  monitorId: number | null;
  /** A monitor's state (up, down, paused…) or the manual status set by hand. */
  status: string;
  position: number;
}

export interface PageOverview {
  id: number;
  slug: string;
  title: string;
  description: string;
  access: string;
  customDomain: string | null;
  /** null without a domain; pending until its TXT record is verified. */
  customDomainStatus: DomainStatus | null;
  /** The TXT token of a pending domain. */
  customDomainToken: string | null;
  createdAt: number;
  groups: Array<{ id: number; name: string; position: number }>;
  components: PageComponentView[];
}

type PageRow = Awaited<ReturnType<typeof listOwnPages>>[number];

async function withLayout(db: Db, pages: PageRow[]): Promise<PageOverview[]> {
  const ids = pages.map((p) => p.id);
  const [components, groups] = await Promise.all([listComponentsOfPages(db, ids), listGroupsOfPages(db, ids)]);
  return pages.map((p) => ({
    id: p.id,
    slug: p.slug,
    title: p.title,
    description: p.description,
    access: p.access,
    customDomain: p.custom_domain,
    customDomainStatus: domainStatus(p),
    customDomainToken: domainStatus(p) === 'pending' ? p.domain_token : null,
    createdAt: p.created_at,
    groups: groups.filter((g) => g.page_id === p.id).map((g) => ({ id: g.id, name: g.name, position: g.position })),
    components: components
      .filter((c) => c.page_id === p.id)
      .map((c) => ({
        id: c.id,
        name: c.name ?? c.monitor_name ?? '',
        description: c.description,
        groupId: c.group_id,
        monitorId: c.monitor_id,
        status: c.monitor_id === null ? (c.manual_status ?? 'operational') : c.monitor_paused === 1 ? 'paused' : (c.monitor_status ?? 'pending'),
        position: c.position,
      })),
  }));
}

/** The account's status pages with their groups and components (never the password hash). */
export async function listPageOverviews(db: Db, accountId: number): Promise<PageOverview[]> {
  return withLayout(db, await listOwnPages(db, accountId));
}

export async function getPageOverview(db: Db, accountId: number, pageId: number): Promise<PageOverview> {
  const [page] = await withLayout(db, [await findOwnPage(db, accountId, pageId)]);
  return page!;
}
