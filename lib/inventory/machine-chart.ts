import { backupOutcome } from '@/lib/backup/history';
import { parseExecutionTimes, parseIterationName } from '@/lib/backup/iteration';
import { describeMode } from '@/lib/backup/modes';
import type { NightState } from '@/lib/backup/night-states';
import { describeReturnCode } from '@/lib/backup/return-codes';
import type { Activity } from '@/lib/backup/status';
import type { Iteration } from '@/lib/ldap/backup';

/** One iteration as the machine page's chart draws it: plain JSON for the browser. */
export interface ChartBar {
  name: string;
  /** "12 Mar" */
  date: string;
  /** 'unrecorded': a folder on the node whose leaf the directory no longer keeps (stoney cloud). */
  result: Extract<NightState, 'good' | 'failed' | 'stuck' | 'running' | 'unrecorded'>;
  /** Whether the directory has the iteration (its page exists). */
  inDirectory: boolean;
  /** What became of it, in words. */
  resultText: string;
  /** Seconds the node daemon recorded per step; null where it recorded none. */
  steps: { snapshot: number | null; merge: number | null; retain: number | null; downtime: number | null };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function stepSeconds(values: string[]) {
  const out: ChartBar['steps'] = { snapshot: null, merge: null, retain: null, downtime: null };
  for (const t of parseExecutionTimes(values)) {
    if (t.step in out) out[t.step as keyof ChartBar['steps']] = t.seconds;
  }
  return out;
}

const dateOf = (name: string): string => {
  const planned = parseIterationName(name);
  return planned ? `${planned.getUTCDate()} ${MONTHS[planned.getUTCMonth()]}` : name.slice(0, 8);
};

/**
 * Oldest first, as a time axis reads. `nodeFolders`: on stoney cloud the directory keeps only
 * the last run, and older iterations are folders on the node; they get a bar too, with no
 * result and no step times (nothing recorded them), and their size.
 */
export function chartBars(iterations: readonly Iteration[], activity: Activity | null, nodeFolders: readonly { name: string; isIteration: boolean }[] | null = null): ChartBar[] {
  const stuck = activity?.kind === 'stuck' ? activity.iteration : null;
  const known = new Set(iterations.map((it) => it.name));
  const nodeOnly: ChartBar[] = (nodeFolders ?? [])
    .filter((f) => f.isIteration && !known.has(f.name))
    .map((f) => ({
      name: f.name,
      date: dateOf(f.name),
      result: 'unrecorded',
      inDirectory: false,
      resultText: "a folder on the node; the directory keeps only the last run, so its result and step times were not recorded",
      steps: { snapshot: null, merge: null, retain: null, downtime: null },
    }));
  const recorded = [...iterations]
    .map((it): ChartBar => {
      const result = backupOutcome(it, stuck) as ChartBar['result'];
      const mode = describeMode(it.mode);
      let resultText: string;
      if (result === 'failed') {
        const code = describeReturnCode(it.returnValue ?? 0);
        resultText = `failed in mode ${it.mode} with code ${code.code} ${code.name}`;
      } else if (result === 'stuck') resultText = `stuck in mode ${it.mode}`;
      else if (result === 'running') resultText = `running: ${mode.label.toLowerCase()}`;
      else if (mode.workflow === 'restore') resultText = `good backup; a restore from it is in mode ${it.mode}${(it.returnValue ?? 0) !== 0 ? ` (code ${it.returnValue})` : ''}`;
      else if (mode.workflow === 'prune') resultText = `good backup, being pruned (mode ${it.mode})`;
      else resultText = 'good backup';
      return { name: it.name, date: dateOf(it.name), result, inDirectory: true, resultText, steps: stepSeconds(it.executionTimes) };
    });
  return [...nodeOnly, ...recorded].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
