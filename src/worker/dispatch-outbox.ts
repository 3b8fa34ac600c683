import type { Db } from '../db/create-db.ts';
import type { DeliveryDeps } from '../domain/alerts/deliver.ts';
import { ownerEmails } from '../domain/accounts/accounts.repository.ts';
import { attempt } from '../domain/alerts/dispatch.ts';
import * as alertOutbox from '../domain/alerts/outbox.repository.ts';
import * as queue from '../domain/outbox/queue.repository.ts';
import { attemptNotice } from '../domain/subscribers/deliver-notice.ts';
import { findNotice } from '../domain/subscribers/subscribers.repository.ts';
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
  /** Public base URL for links in subscriber notices; without it only alerts are dispatched. */
  baseUrl?: string;
}

/** One outbox table and how to make one attempt of one of its claimed rows. */
interface Queue {
  spec: queue.QueueSpec;
  label: string;
  run(id: number): Promise<{ ok: boolean; error: string | null; log: Record<string, unknown> } | undefined>;
}

/**
 * Delivers outbox rows: alerts, and status-page notices to subscribers. The database is the queue: rows are claimed with a conditional
 * update and a lease longer than an attempt's deadline; a crash mid-send leaves the lease
 * to expire and the row is sent again with the same idempotency key.
 */
export class Dispatcher {
  private readonly running = new Map<string, Promise<void>>();
  private readonly perGroup = new Map<string, number>();
  private readonly queues: Queue[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking: Promise<number> | undefined;

  constructor(private readonly deps: DispatcherDeps) {
    const now = () => this.deps.clock.now();
    const alerts: Queue = {
      spec: queue.ALERT_QUEUE,
      label: 'alert',
      run: async (id) => {
        const row = await alertOutbox.findById(deps.db, id);
        if (!row) return undefined;
        const o = await attempt({ db: deps.db, now, delivery: deps.delivery, random: deps.random, onChannelDisabled: (ch, reason) => this.notifyDisabled(ch, reason) }, row);
        return { ...o, log: { outboxId: row.id, channelId: row.channel_id, event: row.event, attempt: row.attempts + 1 } };
      },
    };
    const baseUrl = deps.baseUrl;
    const notices: Queue | undefined = baseUrl === undefined ? undefined : {
      spec: queue.SUBSCRIBER_QUEUE,
      label: 'subscriber notice',
      run: async (id) => {
        const row = await findNotice(deps.db, id);
        if (!row) return undefined;
        const o = await attemptNotice({ db: deps.db, now, delivery: deps.delivery, random: deps.random, baseUrl }, row);
        return { ...o, log: { subscriberOutboxId: row.id, subscriberId: row.subscriber_id, event: row.event, attempt: row.attempts + 1 } };
      },
    };
    this.queues = notices ? [alerts, notices] : [alerts];
  }

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

  /**
   * Starts attempts for due rows of every queue within the limits (per account or page, and
   * in total); returns how many were started.
   */
  async tick(): Promise<number> {
    const now = this.deps.clock.now();
    const leaseMs = this.deps.delivery.timeoutMs * 2 + 30_000;
    const perGroup = this.deps.perAccount ?? 2;
    const total = this.deps.total ?? 20;
    let started = 0;
    for (const q of this.queues) {
      for (const row of await queue.dueRows(this.deps.db, q.spec, now, perGroup)) {
        if (this.running.size >= total) return started;
        const key = `${q.spec.table}:${row.id}`;
        const group = `${q.spec.table}:${row.group}`;
        if (this.running.has(key) || (this.perGroup.get(group) ?? 0) >= perGroup) continue;
        if (!(await queue.claimRow(this.deps.db, q.spec, row.id, now, leaseMs))) continue;
        started++;
        this.perGroup.set(group, (this.perGroup.get(group) ?? 0) + 1);
        const p = q
          .run(row.id)
          .then((o) => {
            if (!o) return;
            if (o.ok) this.deps.logger.info(o.log, `${q.label} delivered`);
            else this.deps.logger.warn({ ...o.log, error: o.error }, `${q.label} delivery failed`);
          })
          .catch((err) => this.deps.logger.error({ err, table: q.spec.table, id: row.id }, `${q.label} attempt crashed`))
          .finally(() => {
            this.running.delete(key);
            this.perGroup.set(group, (this.perGroup.get(group) ?? 1) - 1);
          });
        this.running.set(key, p);
      }
    }
    return started;
  }

  /** Tells the account's owners by email that a channel stopped, best effort. */
  private async notifyDisabled(channel: { accountId: number; name: string }, reason: string): Promise<void> {
    // Only owners who verified their address: an unverified one may not be theirs.
    const owners = await ownerEmails(this.deps.db, channel.accountId, { verifiedOnly: true });
    if (owners.length === 0) return;
    const text = `Your alert channel "${channel.name}" has been disabled. ${reason}\nUnder Settings → Alerts, edit the channel if its address changed (saving enables it again), or press Enable once the receiver is fixed.`;
    try {
      await this.deps.delivery.mailer.send({ to: owners, subject: `Alert channel "${channel.name}" was disabled`, text, html: `<p>${text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\n/g, '<br>')}</p>` });
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

