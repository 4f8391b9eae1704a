import { PARAMETERS, type EffectiveConfig } from '@/lib/backup/config';
import { describeCronPlan, schedulerWarnings } from '@/lib/cron';

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

export function planSummary(effective: EffectiveConfig): { text: string; warnings: string[] } {
  const plan = effective.values.cron.value;
  if (effective.level === 'none' || !plan) return { text: 'No backup plan applies.', warnings: [] };
  return { text: describeCronPlan(plan), warnings: [...effective.warnings, ...schedulerWarnings(plan)] };
}
