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

  it('takes an IP resolver for custom-domain checks, with an optional port, and refuses a host name', () => {
    expect(loadConfig({}).dnsVerifyResolver).toBeUndefined();
    for (const [v, server] of [['1.1.1.1', '1.1.1.1:53'], ['127.0.0.1:5353', '127.0.0.1:5353'], ['::1', '[::1]:53'], ['[2606:4700:4700::1111]:53', '[2606:4700:4700::1111]:53']]) {
      expect(loadConfig({ DNS_VERIFY_RESOLVER: v }).dnsVerifyResolver).toBe(server);
    }
    expect(() => loadConfig({ DNS_VERIFY_RESOLVER: 'dns.example.com' })).toThrow(/DNS_VERIFY_RESOLVER/);
    expect(() => loadConfig({ DNS_VERIFY_RESOLVER: '1.1.1.1:port' })).toThrow(/DNS_VERIFY_RESOLVER/);
  });

  const STRIPE = { STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_PRICE_PRO: 'price_p', STRIPE_PRICE_BUSINESS: 'price_b' };

  it('a Stripe key switches to SaaS mode, which blocks private targets', () => {
    const c = loadConfig(STRIPE);
    expect(c.selfHosted).toBe(false);
    expect(c.blockPrivateTargets).toBe(true);
    expect(c.stripe).toEqual({ secretKey: 'sk_test_123', webhookSecret: 'whsec_abc', prices: { pro: 'price_p', business: 'price_b' }, apiBase: undefined });
    expect(loadConfig({}).stripe).toBeUndefined();
  });

  it('a Stripe key without the webhook secret or prices stops the start, naming what is missing but no secret', () => {
    const run = () => loadConfig({ STRIPE_SECRET_KEY: 'sk_live_secret_value', STRIPE_PRICE_PRO: 'price_p' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(run).toThrow(/STRIPE_PRICE_BUSINESS/);
    expect(run).not.toThrow(/STRIPE_PRICE_PRO:/);
    expect(run).not.toThrow(/sk_live_secret_value/);
  });

  it('reads Stripe secrets from files and takes a local API base', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'key'), 'sk_test_file\n');
    writeFileSync(path.join(dir, 'whsec'), 'whsec_file\n');
    const c = loadConfig({ ...STRIPE, STRIPE_SECRET_KEY: undefined, STRIPE_SECRET_KEY_FILE: path.join(dir, 'key'), STRIPE_WEBHOOK_SECRET_FILE: path.join(dir, 'whsec'), STRIPE_API_BASE: 'http://127.0.0.1:12111/' });
    expect(c.stripe).toMatchObject({ secretKey: 'sk_test_file', webhookSecret: 'whsec_file', apiBase: 'http://127.0.0.1:12111' });
    expect(() => loadConfig({ ...STRIPE, STRIPE_API_BASE: 'ftp://x' })).toThrow(/STRIPE_API_BASE/);
  });
});
