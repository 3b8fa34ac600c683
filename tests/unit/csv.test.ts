import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/lib/csv.ts';

describe('csvCell', () => {
  it('quotes, doubles inner quotes, and turns a leading formula character into text', () => {
    expect(csvCell('API "edge"')).toBe('"API ""edge"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const lead of ['+', '-', '@']) expect(csvCell(`${lead}1`)).toBe(`"'${lead}1"`);
    expect(csvCell('a=b')).toBe('"a=b"');
  });
});
