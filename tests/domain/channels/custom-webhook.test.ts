import { describe, expect, it } from 'vitest';
import { previewChannel, sendTest } from '../../../src/domain/alerts/alerts.service.ts';
import { customWebhook, TEMPLATE_VARIABLES, templateValues } from '../../../src/domain/alerts/channels/custom-webhook.ts';
import { ValidationError } from '../../../src/lib/errors.ts';
import { DOWN, renderCtx, UP, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const JSON_TEMPLATE = '{"text": "{{summary}}", "monitor": {"id": "{{monitor.id}}", "name": "{{monitor.name}}"}, "event": "{{event}}", "down_for": "{{incident.duration}}"}';
const json = { url: 'https://hooks.example.com/in', content_type: 'application/json', template: JSON_TEMPLATE };

/** The field errors a save would show. */
function errorsOf(config: Record<string, string>): Record<string, string> {
  const r = customWebhook.config.safeParse(config);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
}

describe('custom webhook templates', () => {
  it('fills in the variables, JSON-escaped for a JSON template', () => {
    const msg = customWebhook.render(UP, json, renderCtx()) as { url: string; headers: Record<string, string>; body: string };
    expect(msg.url).toBe('https://hooks.example.com/in');
    expect(msg.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(msg.body)).toEqual({ text: 'Checkout API is back up after 5m 0s of downtime', monitor: { id: '42', name: 'Checkout API' }, event: 'up', down_for: '5m 0s' });
  });

  it('a monitor name with quotes, backslashes or newlines cannot break or inject into the JSON', () => {
    const name = 'Evil", "admin": true, "x": "\\\n';
    const msg = customWebhook.render({ ...DOWN, monitor: { ...DOWN.monitor, name } }, json, renderCtx()) as { body: string };
    const body = JSON.parse(msg.body);
    expect(body.monitor.name).toBe(name);
    expect(body).not.toHaveProperty('admin');
    expect(Object.keys(body)).toEqual(['text', 'monitor', 'event', 'down_for']);
  });

  it('a plain-text template gets the values as they are', () => {
    const msg = customWebhook.render(DOWN, { ...json, content_type: 'text/plain', template: '{{title}} <{{link}}> "{{monitor.name}}"' }, renderCtx()) as { headers: Record<string, string>; body: string };
    expect(msg.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(msg.body).toBe(`🔴 Checkout API is down <${DOWN.link}> "Checkout API"`);
  });

  it('every documented variable has a value for every event', () => {
    for (const e of [DOWN, UP, { ...DOWN, event: 'tls_expiry' as const, incident: null, cert: { daysLeft: 3, validTo: DOWN.at } }]) {
      expect(Object.keys(templateValues(e, 'k')).sort()).toEqual(Object.keys(TEMPLATE_VARIABLES).sort());
    }
    expect(templateValues({ ...DOWN, event: 'tls_expiry', incident: null, cert: { daysLeft: 3, validTo: DOWN.at } }, 'k')).toMatchObject({ 'cert.days_left': '3', 'incident.id': '' });
  });

  it('save-time errors: unknown variables, expressions, broken JSON and unquoted variables, each on the template field', () => {
    expect(errorsOf(json)).toEqual({});
    expect(errorsOf({ ...json, template: '{"x": "{{monitor.nmae}}"}' }).template).toMatch(/^Unknown variable \{\{monitor\.nmae\}\}/);
    expect(errorsOf({ ...json, template: '{"x": "{{#each monitors}}"}' }).template).toMatch(/no expressions, helpers or sections/);
    expect(errorsOf({ ...json, template: '{"x": "{{ monitor.name | upcase }}"}' }).template).toMatch(/is not a variable/);
    expect(errorsOf({ ...json, template: '{"id": {{monitor.id}}}' }).template).toMatch(/^Put each variable inside a JSON string/);
    expect(errorsOf({ ...json, template: '{"x": "{{event}}"' }).template).toMatch(/^The template is not valid JSON/);
    expect(errorsOf({ ...json, template: '   ' }).template).toBe('Write the body to send');
    expect(errorsOf({ ...json, content_type: 'text/plain', template: 'id={{monitor.id}}' })).toEqual({});
    expect(errorsOf({ ...json, content_type: 'application/xml' }).content_type).toMatch(/^Choose one of/);
  });

  it('a preview renders a sample alert from unsaved input, or says what is wrong', () => {
    const ok = previewChannel('custom_webhook', { template: '{"name": "{{monitor.name}}", "event": "{{event}}"}', content_type: 'application/json' });
    expect(ok.contentType).toBe('application/json');
    expect(JSON.parse(ok.body)).toEqual({ name: 'Checkout "API"', event: 'down' });
    expect(() => previewChannel('custom_webhook', { template: '{{nope}}', content_type: 'text/plain' })).toThrow(ValidationError);
    expect(() => previewChannel('custom_webhook', { template: '{"a": {{event}}}', content_type: 'application/json' })).toThrow('Put each variable inside a JSON string');
    expect(() => previewChannel('slack', {})).toThrow('no preview');
  });
});

describe.each(testDbKinds())('custom webhook delivered to a local receiver on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage POSTs the user’s body twice, valid JSON even for a hostile monitor name', async () => {
    const name = 'Shop "EU" \\ {{event}}';
    const { received } = await run.outage({ kind: 'custom_webhook', name: 'Mine', ...json, url: `${rx.url}/in?token=t0ken` }, { name });
    expect(received.map((r) => [r.path, r.headers['content-type']])).toEqual([
      ['/in?token=t0ken', 'application/json; charset=utf-8'],
      ['/in?token=t0ken', 'application/json; charset=utf-8'],
    ]);
    const bodies = received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.event, b.monitor.name])).toEqual([['down', name], ['up', name]]);
    expect(received[0]!.headers['idempotency-key']).toMatch(/^incident-1:channel-\d+:down$/);
  });

  it('a test send goes out with the test event', async () => {
    const outcome = await run.test({ kind: 'custom_webhook', name: 'Mine', ...json, url: `${rx.url}/in` });
    expect(outcome).toMatchObject({ ok: true });
    expect(JSON.parse(rx.received.at(-1)!.body)).toMatchObject({ event: 'test', text: expect.stringContaining('This is a test') });
  });

  it('a stored template this version refuses fails permanently with the reason, instead of retrying', async () => {
    const { account, channel } = await run.create({ kind: 'custom_webhook', name: 'Old', ...json, url: `${rx.url}/in` });
    await run.db.updateTable('alert_channels').set({ config: JSON.stringify({ ...json, url: `${rx.url}/in`, template: '{"x": "{{gone.variable}}"}' }) }).where('id', '=', channel.id).execute();
    const outcome = await sendTest(run.deps(), account.id, channel.id);
    expect(outcome).toMatchObject({ ok: false, permanent: true, error: expect.stringMatching(/^Cannot build the message: Unknown variable \{\{gone\.variable\}\}/) });
    expect(rx.received).toHaveLength(0);
  });

  it('an unknown variable is a validation error when saving', async () => {
    const err = await run.create({ kind: 'custom_webhook', name: 'Mine', ...json, url: `${rx.url}/in`, template: '{"x": "{{monitor.nmae}}"}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields?.template).toMatch(/^Unknown variable \{\{monitor\.nmae\}\}/);
  });
});
