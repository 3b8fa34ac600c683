import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allowedKinds, CHANNEL_KINDS, CHANNELS } from '../../src/domain/alerts/alerts.ts';
import { ALERT_EVENTS } from '../../src/domain/alerts/event.ts';
import { PLAN_FEATURES, PLAN_IDS } from '../../src/domain/billing/plans.ts';
import { projectRoot } from '../../src/lib/paths.ts';

// What every channel module must say, checked for all of them at once (Gatus checks its
// providers' conformance at compile time; the types do part of it here, this does the rest).

/** Kinds whose payloads tests/domain/alerts.test.ts asserts ("speaks each provider's native format", email, webhook). */
const COVERED_IN_ALERTS_TEST = ['email', 'webhook', 'slack', 'discord', 'teams', 'telegram', 'ntfy', 'pagerduty'];

describe('the channel registry', () => {
  it("agrees with billing's PLAN_FEATURES.alertChannel (what a plan change reports as no longer sent)", () => {
    for (const plan of PLAN_IDS) {
      expect(allowedKinds(false, plan), plan).toEqual(CHANNEL_KINDS.filter((k) => PLAN_FEATURES.alertChannel(plan, k)));
    }
  });

  it('kinds and labels are unique; the kind list is the registry’s', () => {
    expect(new Set(CHANNELS.map((c) => c.kind)).size).toBe(CHANNELS.length);
    expect(new Set(CHANNELS.map((c) => c.label)).size).toBe(CHANNELS.length);
    expect([...CHANNEL_KINDS]).toEqual(CHANNELS.map((c) => c.kind));
  });

  it.each(CHANNELS.map((c) => [c.kind, c] as const))('%s: every field is described for forms; secrets, URLs and choices are consistent', (_kind, def) => {
    expect(def.fields.length).toBeGreaterThan(0);
    for (const f of def.fields) {
      expect(f.meta.label, f.name).toMatch(/\S/);
      expect(['text', 'url', 'secret', 'textarea', 'select']).toContain(f.meta.input);
      expect(f.name).toMatch(/^[a-z][a-z_]*$/);
      if (f.meta.input === 'select') {
        const js = z.toJSONSchema(f.schema, { io: 'input' }) as { enum?: string[] };
        expect([...js.enum!].sort(), f.name).toEqual(f.meta.options!.map(([v]) => v).sort());
      }
    }
    expect(def.secrets.every((s) => def.fields.some((f) => f.name === s))).toBe(true);
    expect(def.urlFields).toEqual(def.fields.filter((f) => f.meta.input === 'url').map((f) => f.name));
    expect(def.sends).toMatch(/\S/);
  });

  it('a field name means the same in every kind that has it: both secret or both not', () => {
    const secretness = new Map<string, Set<boolean>>();
    for (const def of CHANNELS) for (const f of def.fields) secretness.set(f.name, (secretness.get(f.name) ?? new Set()).add(def.secrets.includes(f.name)));
    expect([...secretness].filter(([, s]) => s.size > 1).map(([n]) => n)).toEqual([]);
  });

  it('every channel takes down, up, reminder and test alerts; only paired ones skip flapping and certificate notices', () => {
    for (const def of CHANNELS) for (const e of ['down', 'up', 'reminder', 'test'] as const) expect(def.accepts(e), `${def.kind} ${e}`).toBe(true);
    const skipping = CHANNELS.filter((d) => ALERT_EVENTS.some((e) => !d.accepts(e))).map((d) => d.kind);
    expect(skipping.sort()).toEqual(['opsgenie', 'pagerduty']);
  });

  it('plans: free = email, pro = email and the webhooks, business and self-hosted = all', () => {
    expect(allowedKinds(false, 'free')).toEqual(['email']);
    expect(allowedKinds(false, 'unknown')).toEqual(['email']);
    expect(allowedKinds(false, 'pro')).toEqual(['email', 'webhook', 'custom_webhook']);
    expect(allowedKinds(false, 'business')).toEqual(CHANNEL_KINDS);
    expect(allowedKinds(true, 'free')).toEqual(CHANNEL_KINDS);
  });

  it('only the webhook is signed (its secret is generated, never a field)', () => {
    expect(CHANNELS.filter((c) => c.signed).map((c) => c.kind)).toEqual(['webhook']);
    expect(CHANNELS.flatMap((c) => c.fields.map((f) => f.name))).not.toContain('secret');
  });

  it('adding a channel = one module + its test: each kind has tests/domain/channels/<kind>.test.ts', () => {
    const root = projectRoot();
    const alertsTest = readFileSync(path.join(root, 'tests/domain/alerts.test.ts'), 'utf8');
    for (const def of CHANNELS) {
      const file = path.join(root, 'tests/domain/channels', `${def.kind.replace(/_/g, '-')}.test.ts`);
      if (COVERED_IN_ALERTS_TEST.includes(def.kind)) expect(alertsTest, def.kind).toContain(`kind: '${def.kind}'`);
      else expect(existsSync(file), `${file} is missing`).toBe(true);
    }
  });
});
