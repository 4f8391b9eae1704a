import { PARAMETERS, type EffectiveConfig } from '@/lib/backup/config';
import { brokerMisreadings, describeCronPlan, schedulerWarnings } from '@/lib/cron';

/** Values written the way the directory holds them (TRUE/FALSE, file:/// URLs, octal text). */
function display(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

export function configRows(effective: EffectiveConfig) {
  return PARAMETERS.map((p) => {
    const v = effective.values[p.key];
    return { key: p.key, label: p.label, description: p.description, value: display(v.value), source: v.source };
  });
}

/** The schedule in words, as the program that decides reads it, with what stops it. */
export function planSummary(effective: EffectiveConfig): { text: string; warnings: string[] } {
  if (effective.kind === 'stoney-cloud') {
    return {
      text: "Each node's crontab line for the stoney wrapper (the sstCron* fields are unused on stoney cloud).",
      warnings: effective.warnings,
    };
  }
  const broker = effective.broker;
  if (!broker || broker.level === 'none') return { text: 'No backup plan applies.', warnings: effective.warnings };
  const plan = broker.plan;
  const misread = brokerMisreadings(plan, broker.multiValued)
    .filter((m) => m.field !== 'plan')
    .map((m) => m.text);
  return { text: describeCronPlan(plan), warnings: [...effective.warnings, ...schedulerWarnings(plan), ...misread] };
}
