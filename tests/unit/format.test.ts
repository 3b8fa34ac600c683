import { describe, expect, it } from 'vitest';
import { dayBars } from '../../src/web/format.ts';

const day = (i: number, uptime: number | null) => ({ date: `2026-01-${String(i + 1).padStart(2, '0')}`, uptime });

describe('day bars', () => {
  it('folds runs of one colour into one element that spans its days', () => {
    const days = [day(0, null), day(1, null), day(2, 100), day(3, 99.95), day(4, 100), day(5, 80), day(6, 100)];
    expect(dayBars(days)).toBe(
      '<i class="b b0" style="flex-grow:2" title="2026-01-01 – 2026-01-02: no data"></i>' +
        '<i class="b b1" style="flex-grow:3" title="2026-01-03 – 2026-01-05: 99.95–100.00%"></i>' +
        '<i class="b b4" title="2026-01-06: 80.00%"></i>' +
        '<i class="b b1" title="2026-01-07: 100.00%"></i>',
    );
  });

  it('a quiet 90 days is a single element', () => {
    const html = dayBars(Array.from({ length: 90 }, (_, i) => ({ date: `d${i}`, uptime: 100 })));
    expect(html.match(/<i /g)).toHaveLength(1);
    expect(html).toContain('flex-grow:90');
  });

  it('no days, no bars', () => {
    expect(dayBars([])).toBe('');
  });
});

describe('masked subscriber addresses', () => {
  it('keep the first letter and the domain of an email, the origin of a URL', async () => {
    const { maskAddress } = await import('../../src/web/format.ts');
    expect(maskAddress('reader@example.com')).toBe('r•••@example.com');
    expect(maskAddress('https://hooks.example.com/T0/secret-token')).toBe('https://hooks.example.com/•••');
    expect(maskAddress('not an address')).toBe('•••');
  });
});
