import { describe, expect, it } from 'vitest';
import type { CronPlan } from '../cron/cron-plan';
import { NightTally, historyNights, nightCells, nightIndex, nightStateOf, type HistoryIteration, type NightCellsInput } from './history';
import { brokerPlannedNights, wrapperPlannedNights } from './schedule';

const now = new Date('2026-05-10T12:00:00Z');
const nights = historyNights(now, 'UTC', 7); // 4 … 10 May 2026, a Monday … a Sunday
const daily = { minute: '0', hour: '3', day: '*', month: '*', dayOfWeek: '*', active: true };
const brokerPlans = (plan: CronPlan, fires = true) => brokerPlannedNights(plan, { warnings: fires ? [] : ['never'] }, nights, 'UTC');
const planned = brokerPlans(daily);

const it_ = (name: string, mode = 'finished', returnValue = 0, state = '0'): HistoryIteration => ({ name, mode, returnValue, state });
const cells = (over: Partial<NightCellsInput>) =>
  nightCells({ nights, index: nightIndex(nights), iterations: [], excluded: false, createdAt: null, stuck: null, planned, now: now.getTime(), ...over });

describe('the nights of the history grid', () => {
  it('are the last dates on the nodes, today last', () => {
    expect(nights.map((n) => n.date)).toEqual(['20260504', '20260505', '20260506', '20260507', '20260508', '20260509', '20260510']);
    expect(nights[6]).toMatchObject({ label: 'Sun 10 May 2026', monthName: 'May', dayOfMonth: 10, weekend: true, endMs: Date.parse('2026-05-11T00:00:00Z'), endStamp: '20260511000000Z' });
    expect(historyNights(now, 'Europe/Zurich', 1)[0].endMs).toBe(Date.parse('2026-05-10T22:00:00Z'));
    // Zurich is two hours ahead in May: 23:00 UTC is already the next day there.
    expect(historyNights(new Date('2026-05-10T23:00:00Z'), 'Europe/Zurich', 1)[0].date).toBe('20260511');
  });

  it('give each night the outcome of its backups, or why there is none', () => {
    const iterations = [
      it_('20260505T030012Z'),
      it_('20260506T030010Z', 'merging', 11),
      it_('20260508T030000Z', 'unretainedSmallFiles'), // a restore from a good backup
      it_('20260509T030000Z', 'deleting'), // a prune of a good backup
      it_('20260510T030000Z', 'merging'),
    ];
    // 4 May: before the oldest iteration kept; 7 May: due but missing.
    expect([...cells({ iterations })].map(nightStateOf)).toEqual(['unrecorded', 'good', 'failed', 'missing', 'good', 'good', 'running']);
    expect(cells({ iterations, stuck: '20260510T030000Z' }).at(-1)).toBe('s');
  });

  it('prefers the best run of a night, and says what nothing planned, excluded and not yet mean', () => {
    expect(cells({ iterations: [it_('20260509T030000Z', 'snapshotting', 6), it_('20260509T140000Z')] }).at(-2)).toBe('g');
    const weekly = brokerPlans({ ...daily, dayOfWeek: '0' });
    expect(cells({ iterations: [it_('20260503T023000Z')], planned: weekly })).toBe('uuuuuum');
    expect(cells({ excluded: true, iterations: [it_('20260504T030000Z')] })).toBe('gxxxxxx');
    const evening = brokerPlans({ ...daily, hour: '22' });
    expect(cells({ iterations: [it_('20260501T220000Z')], planned: evening }).at(-1)).toBe('w');
    expect(cells({ iterations: [it_('20260501T030000Z')], planned: brokerPlans(daily, false) })).toBe('mmmmmmm');
    // Created on 8 May at 09:00: the nights before have no record.
    expect(cells({ createdAt: '20260508090000Z' })).toBe('nnnnmmm');
  });

  it("call a night planned as the installation's scheduler reads the plan", () => {
    // fc-brokerd reads day of week '1-5' as 1 (Monday only), and names a run by its local date.
    expect(brokerPlans({ ...daily, dayOfWeek: '1-5' }).nights).toEqual([true, false, false, false, false, false, false]);
    const zurich = historyNights(now, 'Europe/Zurich', 2);
    const late = brokerPlannedNights({ ...daily, hour: '23' }, { warnings: [] }, zurich, 'Europe/Zurich');
    expect(late).toEqual({ nights: [true, true], firstRunTodayAt: Date.parse('2026-05-10T21:00:00Z') });
    // The stoney wrapper names runs in UTC: a 00:30 run in Zurich belongs to the UTC date before.
    const line = { source: 'crontab -l', line: '', user: null, command: 'LDAPKVMWrapper.pl', plan: { ...daily, hour: '0', minute: '30' } };
    const wrapper = wrapperPlannedNights([line], nights, 'Europe/Zurich');
    expect(wrapper.nights).toEqual([true, true, true, true, true, true, true]);
    expect(wrapper.firstRunTodayAt).toBe(Date.parse('2026-05-10T22:30:00Z'));
    expect(wrapperPlannedNights([{ ...line, plan: { ...daily, dayOfWeek: '0' } }], nights, 'UTC').nights).toEqual([false, false, false, false, false, false, true]);
    expect(wrapperPlannedNights([], nights, 'UTC').nights).toBe('never');
    // Not read: the nightly run the wrapper is installed with, today's still to come.
    expect(wrapperPlannedNights(null, nights, 'UTC')).toEqual({ nights: [true, true, true, true, true, true, true], firstRunTodayAt: nights[6].endMs });
  });

  it('add up per night', () => {
    const pool = new NightTally(3);
    pool.add('gfm');
    pool.add('gxs');
    const fleet = new NightTally(3);
    fleet.add('uuw');
    fleet.addTally(pool);
    expect(fleet.totals().map((t) => [t.unplanned, t.waiting])).toEqual([[1, 0], [1, 0], [0, 1]]);
    const totals = pool.totals();
    expect(totals.map((t) => [t.good, t.failed, t.stuck, t.missing, t.excluded])).toEqual([
      [2, 0, 0, 0, 0],
      [0, 1, 0, 0, 1],
      [0, 0, 1, 1, 0],
    ]);
  });
});
