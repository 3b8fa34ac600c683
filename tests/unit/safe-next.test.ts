import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/web/forms.ts';

describe('safeNext', () => {
  it('keeps same-site paths with their query', () => {
    expect(safeNext('/monitors/3?range=7d')).toBe('/monitors/3?range=7d');
    expect(safeNext('/pages/2#components')).toBe('/pages/2');
    expect(safeNext('/pages/2#components', '/dashboard', true)).toBe('/pages/2#components');
  });

  it.each([
    'https://evil.example/', '//evil.example/x', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)',
    // Dot segments resolve to a protocol-relative address.
    '/..//evil.example', '/.//evil.example/x?y=1', '/%2e%2e//evil.example', '/x/..//evil.example', '/x/%2E%2E//evil.example',
  ])('refuses %j', (value) => {
    expect(safeNext(value)).toBe('/dashboard');
  });
});
