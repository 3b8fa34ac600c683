import Stripe from 'stripe';
import type { StripeConfig } from '../config.ts';

/**
 * The Stripe SDK client for this instance. STRIPE_API_BASE points it at another host (a
 * local stand-in in tests); requests give up after 10 s so a slow Stripe cannot hold a page.
 */
export function createStripeClient(config: StripeConfig): Stripe {
  const base = config.apiBase ? new URL(config.apiBase) : null;
  return new Stripe(config.secretKey, {
    maxNetworkRetries: 1,
    timeout: 10_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}

export type StripeClient = Stripe;
