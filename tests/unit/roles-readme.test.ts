import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Action, ACTIONS, can, ROLES } from '../../src/domain/accounts/roles.ts';
import { projectRoot } from '../../src/lib/paths.ts';

describe('README roles table', () => {
  it('lists every action with exactly the roles can() allows', () => {
    const readme = readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const line of readme.split('\n')) {
      const m = /^\| `([a-z.]+)` — [^|]*\|(.*)\|\s*$/.exec(line);
      if (m) rows.set(m[1]!, m[2]!.split('|').map((c) => c.trim()));
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(ACTIONS).sort());
    for (const [action, cells] of rows) {
      expect(cells, action).toEqual(ROLES.map((r) => (can(r, action as Action) ? '✓' : '')));
    }
  });
});
