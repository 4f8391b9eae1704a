import { CRON_FIELDS, CRON_FIELD_LABELS } from './cron-field';
import type { CronPlan } from './cron-plan';

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

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
