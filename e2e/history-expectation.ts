import { readFileSync } from 'node:fs';
import { isBackupMode } from '../lib/backup/modes';
import { wallFieldsAt } from '../lib/cron/time-zone';
import { compactUtc, type CloudSpec, type MachineSpec } from '../scripts/directory/cloud-ldif';

/** The bearer token the e2e console is started with (global-setup.ts). */
export const E2E_METRICS_TOKEN = 'e2e-metrics-token-e2e-metrics-token-0123456789';

/** When global-setup built the demo directory: iteration names are relative to it. */
export function directoryBuiltAt(): Date {
  return new Date((JSON.parse(readFileSync('test-results/e2e-state/directory.json', 'utf8')) as { builtAt: string }).builtAt);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Date (YYYYMMDD) and minutes after midnight of an instant in a zone. */
function wall(at: Date, timeZone: string): { date: string; minute: number } {
  const w = wallFieldsAt(at.getTime(), timeZone);
  return { date: `${w.year}${pad(w.month)}${pad(w.day)}`, minute: w.hour * 60 + w.minute };
}

/** The last `count` dates in the zone, oldest first, with their weekdays. */
export function nightDates(now: Date, timeZone: string, count = 30): { date: string; weekday: number }[] {
  const today = wall(now, timeZone);
  const base = Date.UTC(Number(today.date.slice(0, 4)), Number(today.date.slice(4, 6)) - 1, Number(today.date.slice(6, 8)));
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(base - (count - 1 - i) * 86_400_000);
    return { date: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`, weekday: d.getUTCDay() };
  });
}

/**
 * What each night of a machine's row must show, worked out from the directory's description:
 * the outcome of the iterations started that night (by the date in their names), else why none
 * is there. Only for plans with a fixed minute and hour and '*' day and month, as the demo has.
 */
export function expectedNights(spec: CloudSpec, m: MachineSpec, now: Date, timeZone: string, count = 30): string[] {
  const pool = spec.pools.find((p) => p.uuid === m.poolUuid);
  const own = typeof m.backup === 'object' ? m.backup : undefined;
  const excluded =
    (own?.exclude ?? pool?.backup?.exclude ?? spec.globalBackup.exclude) === true ||
    (pool?.type === 'dynamic' && m.subType !== 'Golden-Image');
  const cron = (own?.cron ? own : pool?.backup?.cron ? pool.backup : spec.globalBackup).cron;
  const byNight = new Map<string, string>();
  const rank: Record<string, number> = { good: 0, running: 1, failed: 2 };
  for (const it of m.iterations) {
    const date = compactUtc(new Date(now.getTime() - it.agoMs)).slice(0, 8);
    const state = !isBackupMode(it.mode) ? 'good' : (it.returnValue ?? 0) !== 0 ? 'failed' : 'running';
    const seen = byNight.get(date);
    if (!seen || rank[state] < rank[seen]) byNight.set(date, state);
  }
  const oldest = [...byNight.keys()].sort()[0];
  const created = m.createdAgoMs !== undefined ? wall(new Date(now.getTime() - m.createdAgoMs), timeZone).date : null;
  const nowWall = wall(now, timeZone);
  const days = cron?.dayOfWeek === '*' ? null : new Set((cron?.dayOfWeek ?? '').split(',').map(Number));
  const nights = nightDates(now, timeZone, count);
  return nights.map(({ date, weekday }, i) => {
    const ran = byNight.get(date);
    if (ran) return ran;
    if (created && date < created) return 'unrecorded';
    if (excluded) return 'excluded';
    if (oldest && date < oldest) return 'unrecorded';
    if (!cron?.active) return 'missing';
    if (days && !days.has(weekday)) return 'unplanned';
    if (i === nights.length - 1 && nowWall.minute < Number(cron.hour) * 60 + Number(cron.minute)) return 'waiting';
    return 'missing';
  });
}
