import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('has working defaults for a quick start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, databaseUrl: 'file:data/statusping.db', selfHosted: true, minIntervalSeconds: 10, retentionDays: 90 });
    expect(c.baseUrl).toBe('http://localhost:3000');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('fails loudly naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
  });

  it('reads *_FILE secrets and ignores other tools’ *_FILE variables', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const f = path.join(dir, 'secret');
    writeFileSync(f, 'x'.repeat(40) + '\n');
    const c = loadConfig({ SESSION_SECRET_FILE: f, SOME_TOOL_CONFIG_FILE: '/does/not/exist' });
    expect(c.sessionSecret).toBe('x'.repeat(40));
    expect(() => loadConfig({ SESSION_SECRET_FILE: '/does/not/exist' })).toThrow(/SESSION_SECRET_FILE/);
  });

  it('a Stripe key switches to SaaS mode, which blocks private targets', () => {
    const c = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_123' });
    expect(c.selfHosted).toBe(false);
    expect(c.blockPrivateTargets).toBe(true);
  });
});
