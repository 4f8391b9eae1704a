export { CRON_FIELDS, CRON_FIELD_LABELS, cronFieldBounds, parseCronField } from './cron-field';
export type { CronFieldName, CronFieldResult } from './cron-field';
export { cronPlanOf, matchesDay, parseCronPlan, validateCronPlan } from './cron-plan';
export type { CronPlan, ParsedCronField, ParsedCronPlan } from './cron-plan';
export { describeCronPlan } from './describe';
export { schedulerWarnings } from './scheduler-warnings';
export { nextRuns, typicalPeriodMs } from './next-runs';
export type { CronRun } from './next-runs';
export { formatUtcCompact, isValidTimeZone } from './time-zone';
export { daylightSavingNotes, previewCronPlan } from './preview';
export type { CronPreview, PreviewRun } from './preview';
export {
  atoi,
  brokerFailures,
  brokerIterationName,
  brokerMisreadings,
  brokerPlannedTime,
  brokerRefusal,
  brokerRunsOnDay,
  brokerSchedule,
  brokerStartsAt,
  brokerStartsOnDay,
} from './broker';
export type { BrokerMisreading, BrokerReading, BrokerRun, BrokerSchedule, Civil } from './broker';
export type { BrokerPreview } from './preview';
