import { describe, expect, it } from 'vitest';
import { createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { settingsPath } from '../helpers/pages.ts';

describe.each(testDbKinds())('page SLA report on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  /**
   * October 2026 (44,640 minutes): "Outage API" has one 60-minute incident; "Slow API" never
   * fails but answers 60 checks in a row (one a minute) slower than its 100 ms threshold.
   */
  async function history() {
    const owner = await persona(ctx.built.app, 'owner');
    const pageId = Number((await settingsPath(owner)).split('/').pop());
    const outage = await createMonitorVia(owner, { name: 'Outage API' });
    const slow = await createMonitorVia(owner, { name: 'Slow API', degraded_ms: '100' });
    await createMonitorVia(owner, { name: 'Hidden', is_public: 'false' });
    const account = (await ctx.t.db.selectFrom('monitors').select('account_id').where('id', '=', outage).executeTakeFirstOrThrow()).account_id;
    // The monitors existed before October, so the whole month counts.
    await ctx.t.db.updateTable('monitors').set({ created_at: Date.UTC(2026, 8, 15) }).where('account_id', '=', account).execute();
    await ctx.t.db.insertInto('incidents').values({ account_id: account, monitor_id: outage, started_at: Date.UTC(2026, 9, 2), resolved_at: Date.UTC(2026, 9, 2, 1), cause: 'x' }).execute();
    const rows = Array.from({ length: 61 }, (_, i) => ({ monitor_id: slow, checked_at: Date.UTC(2026, 9, 5, 0, i), ok: 1, status_code: 200, response_ms: i < 60 ? 500 : 50, error: null }));
    await ctx.t.db.insertInto('check_results').values(rows).execute();
    return { owner, pageId, slow, outage, account };
  }

  it('degraded time ignored: the slow component is at 100%, the page mean meets 99.9, the worst misses it', async () => {
    const { owner, pageId } = await history();
    const page = await (await owner.get(`/pages/${pageId}/sla?month=2026-10`)).text();
    expect(page).toContain('Page mean 99.933% — target 99.9% met');
    expect(page).toContain('Worst component: Outage API at 99.866% (missed)');
    expect(page).not.toContain('Hidden');
    expect(page).toContain('shown, but counted as up');
    const csv = (await (await owner.get(`/pages/${pageId}/sla?month=2026-10&format=csv`)).text()).trim().split('\n');
    expect(csv[0]).toBe('component,monitor_id,month,target_percent,uptime_percent,met,period_minutes,downtime_minutes,incidents,mttr_minutes,maintenance_excluded_minutes,degraded_minutes,degraded_counted,counted_from');
    expect(csv.slice(1).map((l) => l.replace(/,\d+,2026-10/, ',#,2026-10'))).toEqual([
      '"Outage API",#,2026-10,99.9,99.866,false,44640,60,1,60,0,0,false,2026-10-01T00:00:00.000Z',
      '"Slow API",#,2026-10,99.9,100,true,44640,0,0,,0,60,false,2026-10-01T00:00:00.000Z',
      '"Page mean",,2026-10,99.9,99.933,true,,60,1,,,,false,2026-10-01T00:00:00.000Z',
      '"Worst: Outage API",,2026-10,99.9,99.866,false,,,,,,,false,',
    ]);
  });

  it('degraded time counted as down: the slow component and the page mean miss the target', async () => {
    const { owner, pageId, slow } = await history();
    const page = await (await owner.get(`/pages/${pageId}/sla?month=2026-10&degraded=count`)).text();
    expect(page).toContain('Page mean 99.866% — target 99.9% missed');
    expect(page).toContain('counted as downtime (time both down and slow counts once)');
    const csv = (await (await owner.get(`/pages/${pageId}/sla?month=2026-10&degraded=count&format=csv`)).text()).trim().split('\n');
    expect(csv[2]).toContain('"Slow API"');
    expect(csv[2]).toContain(',99.866,false,44640,60,0,,0,60,true,');
    // The per-monitor report offers the same choice.
    expect(await (await owner.get(`/monitors/${slow}/sla?month=2026-10&target=99.9&degraded=count`)).text()).toContain('99.866% uptime — target 99.9% missed');
    expect(await (await owner.get(`/monitors/${slow}/sla?month=2026-10&target=99.9`)).text()).toContain('100.000% uptime — target 99.9% met');
  });

  it('uses the page SLA target', async () => {
    const { owner, pageId } = await history();
    await owner.post(`/pages/${pageId}`, { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto', sla_target: '99.8' });
    expect(await (await owner.get(`/pages/${pageId}/sla?month=2026-10`)).text()).toContain('Worst component: Outage API at 99.866% (met)');
  });
});
