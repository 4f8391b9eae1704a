import { brokerStartsAt, type Civil } from '../cron/broker';
import { matchesDay, parseCronPlan, type CronPlan } from '../cron/cron-plan';
import { wallFieldsAt } from '../cron/time-zone';
import type { InstallationKind } from './installation';

/**
 * Whether existing iteration names fit the plan, read the way the program that wrote them
 * names iterations (daemons.md, fact 8): fc-brokerd names a leaf with the planned *local* time,
 * seconds 00, and a literal Z; the stoney wrapper uses the UTC start time with its seconds.
 * Names that do not fit were written under another plan, another time zone or by the other
 * kind's program, and the page says so.
 */

export type NameMismatch = { name: string; problem: string };

const NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function civilOf(name: string): (Civil & { second: number }) | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  return { year, month0: month - 1, day, hour, minute, second };
}

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (c: { hour: number; minute: number; second?: number }) =>
  `${pad(c.hour)}:${pad(c.minute)}${c.second === undefined ? '' : `:${pad(c.second)}`}`;

/** Whether cron starts the plan at this local minute. */
function cronStartsAt(plan: CronPlan, c: Civil): boolean {
  const parsed = parseCronPlan(plan);
  if (!parsed) return false;
  const weekday = new Date(Date.UTC(c.year, c.month0, c.day)).getUTCDay();
  return matchesDay(parsed, c.month0 + 1, c.day, weekday) && parsed.fields.hour.set.has(c.hour) && parsed.fields.minute.set.has(c.minute);
}

/** The wrapper names leaves as it creates them, one machine after another; this much delay is still "the same run". */
const WRAPPER_DELAY_MINUTES = 60;

/**
 * Names among `names` that do not fit. FOSS-Cloud: `plan` is what fc-brokerd reads. stoney
 * cloud: `plan` is the node's crontab line, `timeZone` the node's.
 */
export function namesAgainstPlan(kind: InstallationKind, names: string[], plan: CronPlan | null, timeZone: string): NameMismatch[] {
  if (!plan) return [];
  const out: NameMismatch[] = [];
  for (const name of names) {
    const c = civilOf(name);
    if (!c) continue;
    if (kind === 'foss-cloud') {
      if (c.second !== 0) {
        out.push({
          name,
          problem: `${name} has seconds (${pad(c.second)}); fc-brokerd names leaves with 00 seconds, so another program (the stoney wrapper writes UTC with seconds) made it.`,
        });
      } else if (!brokerStartsAt(plan, c)) {
        out.push({
          name,
          problem: `${name} reads as ${clock({ hour: c.hour, minute: c.minute })} local time, a time at which fc-brokerd would not start the current plan.`,
        });
      }
      continue;
    }
    const instant = Date.UTC(c.year, c.month0, c.day, c.hour, c.minute, c.second);
    let fits = false;
    for (let back = 0; back <= WRAPPER_DELAY_MINUTES && !fits; back += 1) {
      const f = wallFieldsAt(instant - back * 60_000, timeZone);
      fits = cronStartsAt(plan, { year: f.year, month0: f.month - 1, day: f.day, hour: f.hour, minute: f.minute });
    }
    if (!fits) {
      const local = wallFieldsAt(instant, timeZone);
      out.push({
        name,
        problem: `${name} is ${clock(c)} UTC, ${clock({ hour: local.hour, minute: local.minute })} on the node (${timeZone}), which does not follow the node's crontab line; it was written under another schedule or in another time zone.`,
      });
    }
  }
  return out;
}
