import { brokerFailures, brokerMisreadings, brokerRefusal } from '../cron/broker';
import type { CronFieldName } from '../cron/cron-field';
import { CRON_FORM_FIELD, type ConfigFormField } from './config-schema';
import { CRON_FORM_FIELDS } from './cron-form';
import { formatMismatches } from './daemon-values';
import type { InstallationKind } from './installation';
import type { ConfigPatch } from './save-plan';
import type { LeafFacts } from './verdict';

/**
 * What a save would do that nobody would notice until backups are missing (daemons.md, facts
 * 5, 8 and 9). A refusal is never written; a confirmation is written only after the
 * administrator read the consequence and confirmed it.
 */

/** A machine whose backups the saved entry governs. */
export type ScopeMachine = {
  uuid: string;
  name: string;
  leaves: LeafFacts[];
  diskFormats: string[];
  /** Whether fc-brokerd takes the saved entry for this machine after the save. */
  brokerTakes: boolean;
  /** Whether the node daemon takes the saved entry for this machine after the save. */
  nodeDaemonTakes: boolean;
  /** Its iteration count as fc-brokerd reads it before the save. */
  iterationsBefore: number;
  /** fc-brokerd backs it up at all (not an ordinary dynamic clone). */
  candidate: boolean;
};

export type SaveFinding = { field: ConfigFormField | null; text: string };
export type SaveCheck = { refusals: SaveFinding[]; confirmations: SaveFinding[] };

const fieldOf = (f: CronFieldName | 'plan'): ConfigFormField | null => (f === 'plan' ? null : CRON_FORM_FIELD[f]);

function names(machines: { name: string }[], limit = 8): string {
  const shown = machines.slice(0, limit).map((m) => m.name);
  return machines.length > limit ? `${shown.join(', ')} and ${machines.length - limit} more` : shown.join(', ');
}

export function checkSave(input: {
  kind: InstallationKind;
  patch: ConfigPatch;
  /** What the entry held before (for a lowered iteration count). */
  iterationsBefore: number | null;
  scope: ScopeMachine[];
  now: Date;
  /** The time zone fc-brokerd computes in. */
  brokerTimeZone: string;
}): SaveCheck {
  const { patch, kind } = input;
  const refusals: SaveFinding[] = [];
  const confirmations: SaveFinding[] = [];
  const writes = (key: ConfigFormField) => patch.keys.includes(key);
  const governed = input.scope.filter((m) => m.brokerTakes && m.candidate);

  if (kind === 'foss-cloud' && patch.config.cron && CRON_FORM_FIELDS.some(writes)) {
    const plan = patch.config.cron;
    const failures = brokerFailures(plan, input.now, input.brokerTimeZone);
    if (failures.length > 0) {
      const field = fieldOf(brokerMisreadings(plan).find((m) => m.fails)?.field ?? 'plan');
      refusals.push({
        field,
        text:
          `fc-brokerd's date arithmetic fails for this plan on ${failures.length} days of the coming four years (first on ${failures[0].date}: ${failures[0].reason}). ` +
          `A failure ends the broker's whole cycle, so on those days no machine's backup starts, not only these. Choose another day of month or month.`,
      });
    } else {
      const refusal = brokerRefusal(plan);
      if (refusal) {
        confirmations.push({
          field: plan.minute === '*' ? 'cronMinute' : plan.active ? 'cronDay' : 'cronActive',
          text: `${refusal} ${governed.length > 0 ? `${governed.length} ${governed.length === 1 ? 'machine is' : 'machines are'} no longer backed up: ${names(governed)}.` : 'No machine that follows this configuration is backed up.'}`,
        });
      }
      for (const m of brokerMisreadings(plan)) {
        if (m.field === 'plan') continue;
        confirmations.push({ field: fieldOf(m.field), text: m.text });
      }
    }
  }

  if (writes('iterations')) {
    const keep = patch.config.iterations;
    if (kind === 'foss-cloud') {
      const stuck = governed.filter(
        (m) => keep < m.iterationsBefore && m.leaves.length > keep && m.leaves.every((l) => l.mode === 'finished'),
      );
      if (stuck.length > 0) {
        const most = Math.max(...stuck.map((m) => m.leaves.length));
        confirmations.push({
          field: 'iterations',
          text:
            `fc-brokerd starts a backup only while a machine has at most as many iteration leaves as it keeps, and removes one old leaf per finished run. ` +
            `Keeping ${keep}, it never backs these up again: ${names(stuck.map((m) => ({ name: `${m.name} (${m.leaves.length} leaves)` })))}. ` +
            `Keep at least ${most}, or remove leaves first.`,
        });
      }
    } else if (input.iterationsBefore !== null && keep < input.iterationsBefore) {
      confirmations.push({
        field: 'iterations',
        text: `After its next run the stoney wrapper deletes every iteration folder on the node beyond the newest ${keep}, for each machine this configuration applies to (they keep ${input.iterationsBefore} now).`,
      });
    }
  }

  if (writes('diskImageFormat')) {
    const affected = formatMismatches(
      patch.config.diskImageFormat,
      input.scope.filter((m) => m.nodeDaemonTakes).map((m) => ({ name: m.name, diskFormats: m.diskFormats })),
    );
    if (affected.length > 0) {
      confirmations.push({
        field: 'diskImageFormat',
        text:
          `At the next backup the node daemon creates each disk's new live image as ${patch.config.diskImageFormat}, but these machines' disks are ${[...new Set(affected.flatMap((a) => a.formats))].join(', ')}: ` +
          `${names(affected)}. Their definitions would no longer match their disks and they would not start.`,
      });
    }
  }
  return { refusals, confirmations };
}

/** A short, stable token for a set of confirmations, so that "Save anyway" confirms exactly what was shown. */
export function confirmationToken(texts: string[]): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(texts.join('\n'))) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
