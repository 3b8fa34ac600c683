import { z } from 'zod';
import { httpUrl } from '../../lib/validate.ts';
import type { PlanPolicy } from '../billing/plans.ts';

/** Subscribers per page on the Free plan of a SaaS instance; other plans and self-hosted have no cap. */
export const FREE_SUBSCRIBER_CAP = 5000;

export function subscriberCap(policy: PlanPolicy, plan: string): number | null {
  return !policy.selfHosted && plan === 'free' ? FREE_SUBSCRIBER_CAP : null;
}

/** The public form: an email address or a webhook URL, and optionally some components. */
export const subscribeInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('email'),
    address: z.string().trim().toLowerCase().min(1, 'Enter your email address').max(254, 'That address is too long').pipe(z.email('Enter a valid email address')),
    componentIds: z.array(z.number().int()).default([]),
  }),
  z.object({
    kind: z.literal('webhook'),
    address: httpUrl('Enter the URL of your webhook endpoint'),
    componentIds: z.array(z.number().int()).default([]),
  }),
]);
export type SubscribeInput = z.input<typeof subscribeInput>;

export type ConfirmResult = 'confirmed' | 'already' | 'expired' | 'invalid';
export type UnsubscribeCheck = { state: 'valid'; kind: string; address: string } | { state: 'gone' } | { state: 'invalid' };
