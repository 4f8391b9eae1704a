import { CRON_FIELDS, CRON_FIELD_LABELS } from './cron-field';
import type { CronPlan } from './cron-plan';

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Why the backup scheduler would never start this plan, empty when it would.
 * These are the scheduler's own preconditions (fc-brokerd compares the raw
 * texts, not parsed values): the plan is active, all five fields are present,
 * minute is not literally '*', and day of month or day of week is literally '*'.
 * Each entry is a complete sentence starting with a capital letter.
 */
export function schedulerWarnings(plan: CronPlan): string[] {
  const warnings: string[] = [];
  if (!plan.active) warnings.push('The plan is inactive.');
  const missing = CRON_FIELDS.filter((f) => plan[f].trim() === '');
  if (missing.length > 0) {
    const labels = missing.map((f) => CRON_FIELD_LABELS[f]);
    const verb = missing.length === 1 ? 'is' : 'are';
    warnings.push(`${capitalize(joinList(labels))} ${verb} missing; the scheduler needs all five cron fields.`);
  }
  if (plan.minute.trim() === '*') {
    warnings.push("Minute is '*'; the scheduler only starts plans with a fixed minute.");
  }
  const day = plan.day.trim();
  const dayOfWeek = plan.dayOfWeek.trim();
  if (day !== '' && dayOfWeek !== '' && day !== '*' && dayOfWeek !== '*') {
    warnings.push("Day of month and day of week are both restricted; the scheduler needs one of them to be '*'.");
  }
  return warnings;
}

/**
 * Where fc-brokerd (the FOSS-Cloud scheduler) would not read the plan as cron
 * does: it takes minute, hour, day and month as one plain number each (atoi)
 * and day of week as plain numbers separated by commas, and it shifts a fixed
 * month by one because it compares the 1-based cron month with the 0-based
 * month of `struct tm`. Plans the console writes should avoid all of these.
 */
export function schedulerSyntaxWarnings(plan: CronPlan): string[] {
  const warnings: string[] = [];
  for (const field of ['minute', 'hour', 'day', 'month'] as const) {
    const text = plan[field].trim();
    if (text === '' || text === '*' || /^\d+$/.test(text)) continue;
    warnings.push(`The scheduler reads ${CRON_FIELD_LABELS[field]} only as a single number, so '${text}' does not work as written.`);
  }
  const dow = plan.dayOfWeek.trim();
  if (dow !== '' && dow !== '*' && !/^\d+(,\d+)*$/.test(dow)) {
    warnings.push(`The scheduler reads day of week only as numbers separated by commas, so '${dow}' does not work as written.`);
  }
  const month = plan.month.trim();
  const n = /^\d+$/.test(month) ? Number(month) : 0;
  if (n >= 1 && n <= 12) {
    warnings.push(`The scheduler starts a fixed month one month late (a known fc-brokerd bug): month ${n} runs in ${MONTH_NAMES[n % 12]}.`);
  }
  return warnings;
}
