/** Shields-style flat badge: grey label on the left, coloured message on the right. */
export function badgeSvg(label: string, message: string, color: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // Verdana 11px averages ~6.5 px a character; good enough without measuring text.
  const w = (s: string) => Math.round(s.length * 6.5 + 12);
  const lw = w(label);
  const mw = w(message);
  const total = lw + mw;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${esc(label)}: ${esc(message)}">
<title>${esc(label)}: ${esc(message)}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${total}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${esc(label)}</text><text x="${lw + mw / 2}" y="14">${esc(message)}</text></g></svg>`;
}

export const BADGE_COLORS: Record<string, string> = {
  up: '#16a34a',
  degraded: '#d97706',
  down: '#dc2626',
  pending: '#64748b',
  paused: '#64748b',
};

export function uptimeColor(pct: number | null): string {
  if (pct === null) return '#64748b';
  if (pct >= 99.9) return '#16a34a';
  if (pct >= 99) return '#65a30d';
  if (pct >= 95) return '#d97706';
  return '#dc2626';
}
