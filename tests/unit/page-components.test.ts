import { describe, expect, it } from 'vitest';
import { limitsFor, pageCountViolation } from '../../src/domain/billing/plans.ts';
import { sniffImage } from '../../src/domain/statuspages/assets.service.ts';
import { footerLinksOf } from '../../src/domain/statuspages/pages.service.ts';
import { overallStatus } from '../../src/domain/statuspages/statuspages.service.ts';

const c = (status: string, extra: { retrying?: boolean; maintenance?: boolean } = {}) => ({ status: status as never, retrying: false, ...extra });

describe('overall status with manual components', () => {
  it('counts manual outages and degradation, and leaves maintenance out', () => {
    expect(overallStatus([])).toBe('operational');
    expect(overallStatus([c('up'), c('operational')])).toBe('operational');
    expect(overallStatus([c('up'), c('degraded')])).toBe('degraded');
    expect(overallStatus([c('up'), c('partial_outage')])).toBe('partial_outage');
    expect(overallStatus([c('partial_outage')])).toBe('partial_outage');
    expect(overallStatus([c('up'), c('major_outage')])).toBe('partial_outage');
    expect(overallStatus([c('down'), c('major_outage')])).toBe('major_outage');
    expect(overallStatus([c('maintenance'), c('up')])).toBe('operational');
    expect(overallStatus([c('down', { maintenance: true }), c('up')])).toBe('operational');
  });
});

describe('image sniffing', () => {
  it('knows PNG, JPEG, WebP and ICO by their first bytes, and nothing else', () => {
    expect(sniffImage(Buffer.from('89504e470d0a1a0a00', 'hex'))).toBe('image/png');
    expect(sniffImage(Buffer.from('ffd8ffe000', 'hex'))).toBe('image/jpeg');
    expect(sniffImage(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImage(Buffer.from('000001000100', 'hex'))).toBe('image/x-icon');
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImage(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
  });
});

describe('page limits and stored footer links', () => {
  it('free 1, pro 3, business and self-hosted unlimited', () => {
    const saas = { selfHosted: false, minIntervalSeconds: 10, retentionDays: 90 };
    expect(pageCountViolation(limitsFor(saas, 'free'), 1)).toBe('The Free plan allows one status page. Delete a page or upgrade to add more.');
    expect(pageCountViolation(limitsFor(saas, 'pro'), 2)).toBeNull();
    expect(pageCountViolation(limitsFor(saas, 'pro'), 3)).toBe('The Pro plan allows 3 status pages. Delete a page or upgrade to add more.');
    expect(pageCountViolation(limitsFor(saas, 'business'), 500)).toBeNull();
    expect(pageCountViolation(limitsFor({ ...saas, selfHosted: true }, 'free'), 500)).toBeNull();
  });

  it('drops stored links that are not http(s)', () => {
    expect(footerLinksOf(JSON.stringify([{ label: 'a', url: 'javascript:alert(1)' }, { label: 'b', url: 'https://b.test/' }]))).toEqual([{ label: 'b', url: 'https://b.test/' }]);
    expect(footerLinksOf('not json')).toEqual([]);
  });
});
