import type { Db } from '../db/create-db.ts';
import type { DeliveryDeps } from '../domain/alerts/deliver.ts';
import { attempt } from '../domain/alerts/dispatch.ts';
import * as outbox from '../domain/alerts/outbox.repository.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';

export interface DispatcherDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  delivery: DeliveryDeps;
  /** Attempts in flight per account, so one slow receiver cannot hold up the others. */
  perAccount?: number;
  total?: number;
  pollMs?: number;
  random?: () => number;
}

/**
 * Delivers outbox rows. The database is the queue: rows are claimed with a conditional
 * update and a lease longer than an attempt's deadline; a crash mid-send leaves the lease
 * to expire and the row is sent again with the same idempotency key.
 */
export class Dispatcher {
  private readonly running = new Map<number, Promise<void>>();
  private readonly perAccount = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking: Promise<number> | undefined;

  constructor(private readonly deps: DispatcherDeps) {}

  get inFlight(): number {
    return this.running.size;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.ticking = this.tick().catch((err) => {
        this.deps.logger.error({ err }, 'outbox dispatch failed');
        return 0;
      });
      void this.ticking.finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.deps.pollMs ?? 1000);
      });
    };
    loop();
  }

  /** Starts attempts for due rows within the limits; returns how many were started. */
  async tick(): Promise<number> {
    const now = this.deps.clock.now();
    const leaseMs = this.deps.delivery.timeoutMs * 2 + 30_000;
    const perAccount = this.deps.perAccount ?? 2;
    const total = this.deps.total ?? 20;
    let started = 0;
    for (const row of await outbox.due(this.deps.db, now, perAccount)) {
      if (this.running.size >= total) break;
      if (this.running.has(row.id) || (this.perAccount.get(row.account_id) ?? 0) >= perAccount) continue;
      const claimed = await outbox.claim(this.deps.db, row.id, now, leaseMs);
      if (!claimed) continue;
      started++;
      this.perAccount.set(row.account_id, (this.perAccount.get(row.account_id) ?? 0) + 1);
      const p = attempt({ db: this.deps.db, now: () => this.deps.clock.now(), delivery: this.deps.delivery, random: this.deps.random, onChannelDisabled: (ch, reason) => this.notifyDisabled(ch, reason) }, claimed)
        .then((o) => {
          const log = { outboxId: claimed.id, channelId: claimed.channel_id, event: claimed.event, attempt: claimed.attempts + 1 };
          if (o.ok) this.deps.logger.info(log, 'alert delivered');
          else this.deps.logger.warn({ ...log, error: o.error }, 'alert delivery failed');
        })
        .catch((err) => this.deps.logger.error({ err, outboxId: claimed.id }, 'alert attempt crashed'))
        .finally(() => {
          this.running.delete(claimed.id);
          this.perAccount.set(claimed.account_id, (this.perAccount.get(claimed.account_id) ?? 1) - 1);
        });
      this.running.set(claimed.id, p);
    }
    return started;
  }

  /** Tells the account's owners by email that a channel stopped, best effort. */
  private async notifyDisabled(channel: { accountId: number; name: string }, reason: string): Promise<void> {
    const owners = await this.deps.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('users.email')
      .where('memberships.account_id', '=', channel.accountId)
      .where('memberships.role', '=', 'owner')
      .execute();
    if (owners.length === 0) return;
    const text = `Your alert channel "${channel.name}" has been disabled. ${reason}\nRe-enable it under Settings → Alerts once the receiver is fixed.`;
    try {
      await this.deps.delivery.mailer.send({ to: owners.map((o) => o.email), subject: `Alert channel "${channel.name}" was disabled`, text, html: `<p>${text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\n/g, '<br>')}</p>` });
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not email owners about a disabled channel');
    }
  }

  /** Waits until nothing is in flight (tests and shutdown). */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.drain(), new Promise((r) => (t = setTimeout(r, graceMs)))]);
    clearTimeout(t);
  }
}

