import type { Trx } from '../../db/tx.ts';
import { type AlertContext, enqueueMonitorEvent } from '../alerts/enqueue.ts';
import type { ProbeResult } from './probes/probe.ts';
import type { AnyCheckType, Settings } from './probes/registry.ts';
import { saveScreenshot } from './monitor-state.repository.ts';

/** Runs inside recordResult's transaction, after the result is stored; `at` is its time. */
export type AfterResult = (trx: Trx, at: number) => Promise<void>;

interface MonitorRef {
  id: number;
  accountId: number;
  name: string;
  url: string;
  settings: Settings;
}

/**
 * The type's afterResult for one result, bound to what it may do (queue an alert, keep a
 * screenshot) in the result's transaction; undefined when the type has none.
 */
export function afterResultOf(def: AnyCheckType | undefined, m: MonitorRef, result: ProbeResult, alerts: AlertContext): AfterResult | undefined {
  const after = def?.afterResult;
  if (!after) return undefined;
  const monitor = { id: m.id, accountId: m.accountId, name: m.name, url: m.url };
  return (trx, at) =>
    after(m.settings, result, {
      monitor,
      at,
      alert: async (v) => void (await enqueueMonitorEvent(trx, alerts, { monitor, incident: null, event: v.event, at, keySuffix: v.keySuffix, cert: v.cert })),
      saveScreenshot: (png) => saveScreenshot(trx, m.id, at, png),
    });
}
