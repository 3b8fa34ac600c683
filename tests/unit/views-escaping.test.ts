import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function etaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? etaFiles(join(dir, e.name)) : e.name.endsWith('.eta') ? [join(dir, e.name)] : []));
}

describe('views', () => {
  // `<%= %>` escapes its value, so markup written inside it (an attribute with its quotes)
  // comes out as `attr=&quot;…&quot;`: broken HTML. Conditional attributes belong in `<% if %>`.
  it('write no attribute markup inside escaped output tags', () => {
    const offenders: string[] = [];
    for (const file of etaFiles('views')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/<%=([\s\S]*?)%>/g)) {
        if (/['`][^'`]*\w=\\?"[^'`]*['`]/.test(m[1]!)) offenders.push(`${file}: <%=${m[1]}%>`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
