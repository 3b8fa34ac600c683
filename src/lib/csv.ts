/** One CSV cell: quoted, inner quotes doubled, and a leading =, +, -, @ defused so spreadsheets show text, not a formula. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}
