export { CRON_FIELDS, CRON_FIELD_LABELS, cronFieldBounds, parseCronField } from './cron-field';
export type { CronFieldName, CronFieldResult } from './cron-field';
export { matchesDay, parseCronPlan, validateCronPlan } from './cron-plan';
export type { CronPlan, ParsedCronField, ParsedCronPlan } from './cron-plan';
export { describeCronPlan } from './describe';
export { schedulerSyntaxWarnings, schedulerWarnings } from './scheduler-warnings';
export { nextRuns, typicalPeriodMs } from './next-runs';
export type { CronRun } from './next-runs';
export { formatUtcCompact, isValidTimeZone } from './time-zone';
