import type { CronPlan } from '../cron/cron-plan';
import type { ConfigFormField, ConfigFormValues } from './config-schema';

/** The form field that holds each part of a cron plan (`sstCron*` on the entry). */
export const CRON_PLAN_FIELD = {
  minute: 'cronMinute',
  hour: 'cronHour',
  day: 'cronDay',
  month: 'cronMonth',
  dayOfWeek: 'cronDayOfWeek',
  active: 'cronActive',
} as const satisfies Record<keyof CronPlan, ConfigFormField>;

/** The six form fields of the schedule. */
export const CRON_FORM_FIELDS: readonly ConfigFormField[] = Object.values(CRON_PLAN_FIELD);

/**
 * A plan from its six texts as a form or a query sends them ('TRUE' means active): the one
 * place where texts become the CronPlan the previews and checks read.
 */
export function cronPlanOfTexts(texts: Record<keyof CronPlan, string>): CronPlan {
  return {
    minute: texts.minute,
    hour: texts.hour,
    day: texts.day,
    month: texts.month,
    dayOfWeek: texts.dayOfWeek,
    active: texts.active === 'TRUE',
  };
}

/** The schedule of the configuration form as a plan. */
export function cronPlanOfForm(values: ConfigFormValues): CronPlan {
  const text = (part: keyof CronPlan) => values[CRON_PLAN_FIELD[part]];
  return cronPlanOfTexts({
    minute: text('minute'),
    hour: text('hour'),
    day: text('day'),
    month: text('month'),
    dayOfWeek: text('dayOfWeek'),
    active: text('active'),
  });
}

/** A plan as the form's six fields, the other way round. */
export function formOfCronPlan(plan: CronPlan): Pick<ConfigFormValues, (typeof CRON_PLAN_FIELD)[keyof CronPlan]> {
  return {
    cronMinute: plan.minute,
    cronHour: plan.hour,
    cronDay: plan.day,
    cronMonth: plan.month,
    cronDayOfWeek: plan.dayOfWeek,
    cronActive: plan.active ? 'TRUE' : 'FALSE',
  };
}
