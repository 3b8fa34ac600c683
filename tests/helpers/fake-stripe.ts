import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A local HTTP server playing the parts of Stripe's API that StatusPing calls, for the
 * official SDK pointed at it with STRIPE_API_BASE: POST /v1/customers,
 * /v1/checkout/sessions and /v1/billing_portal/sessions, with form-encoded bodies as the
 * real API takes them. Every API request is recorded (parsed body included) so tests can
 * assert what was sent. The Checkout URL it returns is a stand-in payment page on this
 * server: its "Pay" button sends the signed webhook events Stripe would send to `webhookUrl`,
 * then redirects to the session's success URL.
 */
export interface FakeStripe {
  url: string;
  webhookSecret: string;
  prices: { pro: string; business: string };
  requests: { method: string; path: string; body: Record<string, any>; authorization: string | undefined }[];
  sessions: Map<string, Record<string, any>>;
  /** Where the payment page delivers events (the app's /webhooks/stripe). */
  webhookUrl: string;
  /** Answers of the app to the events the payment page sent. */
  deliveries: { type: string; status: number }[];
  /** The STRIPE_* variables that point the app at this server. */
  env(): Record<string, string>;
  /** A webhook body and its Stripe-Signature header made with the SDK's test helper. */
  signedEvent(type: string, object: Record<string, any>, opts?: { id?: string; timestamp?: number; secret?: string; created?: number }): { body: string; signature: string };
  /** A subscription object as Stripe sends it in customer.subscription.* events. */
  subscription(o: { customer: string; price: string; status?: string; id?: string; accountId?: number; periodEnd?: number }): Record<string, any>;
  close(): Promise<void>;
}

const sdk = new Stripe('sk_test_fake_helper');

/** Turns `a[b][0][c]=v` pairs into nested objects and arrays, as Stripe reads them. */
export function parseStripeForm(text: string): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node = root;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = value;
      else node = node[p] ??= {};
    });
  }
  const arrays = (v: any): any => {
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length && keys.every((k) => /^\d+$/.test(k))) return keys.sort((a, b) => Number(a) - Number(b)).map((k) => arrays(v[k]));
    for (const k of keys) v[k] = arrays(v[k]);
    return v;
  };
  return arrays(root);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeStripe(opts: { webhookSecret?: string } = {}): Promise<FakeStripe> {
  let seq = 0;
  const id = (prefix: string) => `${prefix}_test_${(++seq).toString().padStart(6, '0')}`;
  const fake = {
    url: '',
    webhookSecret: opts.webhookSecret ?? 'whsec_fake_stripe_secret',
    prices: { pro: 'price_fake_pro', business: 'price_fake_business' },
    requests: [],
    sessions: new Map(),
    webhookUrl: '',
    deliveries: [],
  } as unknown as FakeStripe;

  fake.signedEvent = (type, object, o = {}) => {
    const body = JSON.stringify({ id: o.id ?? id('evt'), object: 'event', type, api_version: '2026-10-28.endive', created: o.created ?? Math.floor(Date.now() / 1000), livemode: false, data: { object } });
    const signature = sdk.webhooks.generateTestHeaderString({ payload: body, secret: o.secret ?? fake.webhookSecret, timestamp: o.timestamp });
    return { body, signature };
  };
  fake.subscription = (o) => ({
    id: o.id ?? id('sub'),
    object: 'subscription',
    customer: o.customer,
    status: o.status ?? 'active',
    cancel_at_period_end: false,
    metadata: o.accountId ? { account_id: String(o.accountId) } : {},
    items: { object: 'list', data: [{ id: id('si'), object: 'subscription_item', price: { id: o.price, object: 'price' }, current_period_end: o.periodEnd ?? Math.floor(Date.now() / 1000) + 30 * 86400 }] },
  });
  fake.env = () => ({
    STRIPE_SECRET_KEY: 'sk_test_fake',
    STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
    STRIPE_PRICE_PRO: fake.prices.pro,
    STRIPE_PRICE_BUSINESS: fake.prices.business,
    STRIPE_API_BASE: fake.url,
  });

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${seq}` });
    res.end(JSON.stringify(body));
  };

  async function pay(res: ServerResponse, session: Record<string, any>) {
    const sub = fake.subscription({ customer: session.customer, price: session.line_items[0].price, accountId: Number(session.client_reference_id) });
    Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: sub.id });
    for (const [type, object] of [['checkout.session.completed', session], ['customer.subscription.created', sub]] as const) {
      const e = fake.signedEvent(type, object);
      const r = await fetch(fake.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': e.signature }, body: e.body });
      fake.deliveries.push({ type, status: r.status });
    }
    res.writeHead(303, { location: session.success_url });
    res.end();
  }

  const server: Server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const text = await readBody(req);
      const payMatch = /^\/pay\/(cs_test_\d+)$/.exec(path);
      if (payMatch) {
        const session = fake.sessions.get(payMatch[1]!);
        if (!session) return json(res, 404, { error: 'no such session' });
        if (req.method === 'POST') return await pay(res, session);
        const price = session.line_items[0].price === fake.prices.pro ? 'Pro — $14.00 / month' : 'Business — $39.00 / month';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<!doctype html><html><head><title>Stand-in Stripe Checkout</title></head><body><h1>Stand-in checkout</h1><p>${price}</p><form method="post" action="/pay/${session.id}"><button type="submit">Pay</button></form><p><a href="${session.cancel_url}">Cancel</a></p></body></html>`);
      }
      if (!path.startsWith('/v1/')) return json(res, 404, { error: 'not found' });
      const body = parseStripeForm(text);
      fake.requests.push({ method: req.method ?? '', path, body, authorization: req.headers.authorization });
      if (req.method === 'POST' && path === '/v1/customers') {
        return json(res, 200, { id: id('cus'), object: 'customer', email: body.email ?? null, name: body.name ?? null, metadata: body.metadata ?? {} });
      }
      if (req.method === 'POST' && path === '/v1/checkout/sessions') {
        const sid = id('cs');
        const session = { id: sid, object: 'checkout.session', url: `${fake.url}/pay/${sid}`, status: 'open', payment_status: 'unpaid', subscription: null, ...body };
        fake.sessions.set(sid, session);
        return json(res, 200, session);
      }
      if (req.method === 'POST' && path === '/v1/billing_portal/sessions') {
        const pid = id('bps');
        return json(res, 200, { id: pid, object: 'billing_portal.session', url: `${fake.url}/portal/${pid}`, customer: body.customer, return_url: body.return_url });
      }
      return json(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` } });
    } catch (err) {
      json(res, 500, { error: { type: 'api_error', message: (err as Error).message } });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((r) => server.close(() => r()));
  return fake;
}
