/** "Acme Corp." → "acme-corp"; empty results fall back so a slug is never blank. */
export function slugify(input: string, fallback = 'status'): string {
  const s = input
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return s || fallback;
}

/** Slugs that would shadow routes or confuse readers. */
export const RESERVED_SLUGS = new Set(['api', 'admin', 'login', 'signup', 'static', 'www', 'status', 'new']);
