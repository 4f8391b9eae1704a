import { CRON_FIELDS, parseCronField, type CronFieldName } from './cron-field';

/**
 * A backup plan's schedule as stored: raw field texts (a multi-valued
 * attribute arrives joined with ','), '' for a missing field. The fields are
 * local time on the node.
 */
export type CronPlan = {
  minute: string;
  hour: string;
  day: string;
  month: string;
  dayOfWeek: string;
  active: boolean;
};

/** The plan an entry's cron fields make: '' for a field it lacks, inactive without the active flag. */
export function cronPlanOf(fields: Partial<CronPlan>): CronPlan {
  return {
    minute: fields.minute ?? '',
    hour: fields.hour ?? '',
    day: fields.day ?? '',
    month: fields.month ?? '',
    dayOfWeek: fields.dayOfWeek ?? '',
    active: fields.active ?? false,
  };
}

export type ParsedCronField = { values: number[]; set: ReadonlySet<number>; any: boolean };

export type ParsedCronPlan = {
  fields: Record<CronFieldName, ParsedCronField>;
  /**
   * Vixie cron calls a job "wildcard" when its minute or hour text starts
   * with '*'. Across daylight-saving changes wildcard jobs are not caught up
   * in a spring-forward gap and do run twice in a fall-back overlap; fixed-time
   * jobs are caught up right after the jump and run only once.
   */
  wildcard: boolean;
  /** Day of month and day of week combine with AND when either starts with '*', else with OR. */
  daysCombineWithAnd: boolean;
};

export function validateCronPlan(plan: CronPlan): Partial<Record<CronFieldName, string>> {
  const errors: Partial<Record<CronFieldName, string>> = {};
  for (const field of CRON_FIELDS) {
    const result = parseCronField(field, plan[field]);
    if (!result.ok) errors[field] = result.error;
  }
  return errors;
}

/** The parsed plan, or null when any field is invalid or missing. */
export function parseCronPlan(plan: CronPlan): ParsedCronPlan | null {
  const fields: Partial<Record<CronFieldName, ParsedCronField>> = {};
  for (const field of CRON_FIELDS) {
    const result = parseCronField(field, plan[field]);
    if (!result.ok) return null;
    fields[field] = { values: result.values, set: new Set(result.values), any: result.any };
  }
  const complete = fields as Record<CronFieldName, ParsedCronField>;
  return {
    fields: complete,
    wildcard: complete.minute.any || complete.hour.any,
    daysCombineWithAnd: complete.day.any || complete.dayOfWeek.any,
  };
}

/** True when cron would start the plan on this local calendar day. */
export function matchesDay(parsed: ParsedCronPlan, month: number, day: number, weekday: number): boolean {
  const f = parsed.fields;
  if (!f.month.set.has(month)) return false;
  const dom = f.day.set.has(day);
  const dow = f.dayOfWeek.set.has(weekday);
  return parsed.daysCombineWithAnd ? dom && dow : dom || dow;
}
