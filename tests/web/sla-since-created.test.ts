import { describe, expect, it } from 'vitest';
import { createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { settingsPath } from '../helpers/pages.ts';

const MIN = 60_000;

describe.each(testDbKinds())('SLA reports count from the monitor’s creation on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  /** It is 2026-11-22 12:00 UTC; "Fresh API" was created 10 minutes ago and was down 3 of them. */
  async function fresh() {
    const now = Date.UTC(2026, 10, 22, 12);
    ctx.built.clock.set(now - 10 * MIN);
    const owner = await persona(ctx.built.app, 'owner');
    const pageId = Number((await settingsPath(owner)).split('/').pop());
    const id = await createMonitorVia(owner, { name: 'Fresh API', failure_threshold: '1' });
    const account = (await ctx.t.db.selectFrom('monitors').select('account_id').where('id', '=', id).executeTakeFirstOrThrow()).account_id;
    await ctx.t.db.insertInto('incidents').values({ account_id: account, monitor_id: id, started_at: now - 6 * MIN, resolved_at: now - 3 * MIN, cause: 'x' }).execute();
    ctx.built.clock.set(now);
    return { owner, pageId, id, created: now - 10 * MIN };
  }

  it('the current month counts from the creation, not from the 1st, and says so', async () => {
    const { owner, id } = await fresh();
    const page = await (await owner.get(`/monitors/${id}/sla?target=99.9`)).text();
    expect(page).toContain('70.000% uptime — target 99.9% missed');
    expect(page).toContain('Counted from 2026-11-22 11:50:00 UTC (when the monitor was created; time before it is not counted).');
    expect(page).toContain('<dd>10 min</dd>');
    const csv = (await (await owner.get(`/monitors/${id}/sla?target=99.9&format=csv`)).text()).trim().split('\n');
    expect(csv[1]).toBe('"Fresh API",2026-11,99.9,70,false,10,3,1,3,0,0,false,2026-11-22T11:50:00.000Z');
  });

  it('a month before the monitor existed has no data: neither met nor 100 %', async () => {
    const { owner, id } = await fresh();
    const page = await (await owner.get(`/monitors/${id}/sla?month=1999-01&target=99.9`)).text();
    expect(page).toContain('No data for 1999-01: the monitor was created 2026-11-22 11:50:00 UTC');
    expect(page).not.toContain('100.000%');
    expect(page).not.toMatch(/target 99\.9% (met|missed)/);
    const csv = (await (await owner.get(`/monitors/${id}/sla?month=1999-01&format=csv`)).text()).trim().split('\n');
    expect(csv[1]).toBe('"Fresh API",1999-01,99.9,,,0,0,0,,0,0,false,');
  });

  it('a page whose monitors did not exist yet shows no data and no page mean', async () => {
    const { owner, pageId } = await fresh();
    const page = await (await owner.get(`/pages/${pageId}/sla?month=2026-10`)).text();
    expect(page).toContain("No data for 2026-10: the page's monitors did not exist yet.");
    expect(page).not.toContain('Page mean');
    expect(page).toMatch(/<td class="text-slate-500">no data<\/td>/);
    expect(page).toContain('not yet created');
    const csv = (await (await owner.get(`/pages/${pageId}/sla?month=2026-10&format=csv`)).text()).trim().split('\n');
    expect(csv).toHaveLength(2); // the component only: no "Page mean" or "Worst" row
    expect(csv[1]).toMatch(/^"Fresh API",\d+,2026-10,99\.9,,,0,0,0,,0,0,false,$/);
    // This month the page counts from the creation too.
    const now = await (await owner.get(`/pages/${pageId}/sla`)).text();
    expect(now).toContain('Page mean 70.000% — target 99.9% missed');
    expect(now).toContain('Counted from 2026-11-22 11:50:00 UTC (when the first monitor was created');
  });

  it('an invalid or future month is named, not silently replaced; its CSV is refused', async () => {
    const { owner, id, pageId } = await fresh();
    for (const path of [`/monitors/${id}/sla`, `/pages/${pageId}/sla`]) {
      const bad = await (await owner.get(`${path}?month=2026-13`)).text();
      expect(bad).toContain('“2026-13” is not a month: use YYYY-MM, e.g. 2026-11. Showing 2026-11 instead.');
      const future = await (await owner.get(`${path}?month=2027-01`)).text();
      expect(future).toContain('2027-01 has not started yet. Showing 2026-11 instead.');
      const escaped = await (await owner.get(`${path}?month=${encodeURIComponent('<b>x</b>')}`)).text();
      expect(escaped).toContain('“&lt;b&gt;x&lt;/b&gt;” is not a month');
      expect((await owner.get(`${path}?month=2026-13`)).status).toBe(200);
      const csv = await owner.get(`${path}?month=2026-13&format=csv`);
      expect(csv.status).toBe(422);
      expect(await csv.text()).toContain('is not a month');
      expect(await (await owner.get(`${path}?month=2026-11`)).text()).not.toContain('data-testid="month-error"');
    }
  });

  it('says "a failed check" for a threshold of one, and "3 failed checks in a row" otherwise', async () => {
    const { owner, id } = await fresh();
    const one = await (await owner.get(`/monitors/${id}/sla`)).text();
    expect(one).toContain('an incident opens after a failed check and closes');
    expect(one).not.toContain('1 failed checks');
    const three = await createMonitorVia(owner, { name: 'Three', failure_threshold: '3' });
    expect(await (await owner.get(`/monitors/${three}/sla`)).text()).toContain('an incident opens after 3 failed checks in a row and closes');
  });
});
