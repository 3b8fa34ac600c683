import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedKinds, CHANNELS, kindLabel } from '../../src/domain/alerts/alerts.ts';
import { projectRoot } from '../../src/lib/paths.ts';

/** The README's channel table as the registry writes it: label, settings (credentials marked \*), what is sent. */
function channelTable(): string[] {
  return CHANNELS.map((c) => `| ${c.label} | ${c.fields.map((f) => `${f.meta.label}${c.secrets.includes(f.name) ? '\\*' : ''}`).join(', ')} | ${c.sends} |`);
}

function alertsSection(): string {
  const readme = readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
  const start = readme.indexOf('### Alerts');
  return readme.slice(start, readme.indexOf('\n### ', start + 1));
}

describe('README Alerts section', () => {
  it('has one row per registry channel, with its label, settings and what it sends (regenerate from channelTable() when it fails)', () => {
    const lines = alertsSection().split('\n');
    const header = lines.indexOf('| Type | Settings | What is sent |');
    expect(header).toBeGreaterThan(0);
    const rows: string[] = [];
    for (const line of lines.slice(header + 2)) {
      if (!line.startsWith('|')) break;
      rows.push(line);
    }
    expect(rows).toEqual(channelTable());
  });

  it('names the plans’ channels as the plan rule reads the registry', () => {
    const free = allowedKinds(false, 'free').map(kindLabel);
    const pro = allowedKinds(false, 'pro').map(kindLabel);
    const list = (labels: string[]) => `${labels.slice(0, -1).join(', ')}${labels.length > 1 ? ' and ' : ''}${labels.at(-1)}`.toLowerCase();
    expect(alertsSection()).toContain(`Plans: free = ${list(free)}; pro = ${list(pro)}; business and self-hosted = all.`);
    const readme = readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
    expect(readme).toContain(`| Alert channels | ${free.join(', ').toLowerCase()} | ${pro.join(', ').toLowerCase()} | all | all |`);
  });
});
