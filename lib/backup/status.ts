import { formatLocalMinute } from '../cron/time-zone';
import { formatDuration } from './duration';
import { finishTime, iterationHealth, parseIterationName, type IterationState } from './iteration';
import { canonicalMode, describeMode, type ModeWorkflow } from './modes';
import type { InstallationKind } from './installation';
import type { RecoveryPointObjective } from './objective';
import { describeReturnCode } from './return-codes';
import { stepLimit, stepOf, type StepHistory, type StepLimit } from './step-limits';

/**
 * A machine's backup status has two sides that are told apart on every page:
 *
 * - **protection**, about its newest good backup (a finished iteration, or one being restored
 *   from), always: protected (within the recovery point objective), stale (older, or nothing
 *   will ever back it up again), never (no good backup at all, with or without ou=backup), or
 *   excluded (not backed up on purpose: excluded by configuration, or a dynamic clone on
 *   FOSS-Cloud, which fc-brokerd never backs up);
 * - **right now**, beside it: what is happening to it (an activity: running, a backup, restore
 *   or prune under way; stuck, an unfinished step that has not moved for longer than that step
 *   takes; failed, a step ended with a non-zero code and nothing retries it), and, on stoney
 *   cloud, blocked (the wrapper skips the machine every night until someone acts, fact 7).
 *
 * A machine whose backup is running, or that is blocked, and whose last good backup is two years
 * old is stale *and* running or blocked: the right-now part is shown beside the protection,
 * never instead of it.
 */
export type Protection = 'protected' | 'stale' | 'never' | 'excluded';
export type ActivityKind = 'failed' | 'stuck' | 'running';
/** The right-now part: an activity, or blocked. */
export type RightNow = ActivityKind | 'blocked';
/** Either part: what the counts, the filters and the metrics speak of. */
export type MachineStatus = Protection | RightNow;

/**
 * Most urgent first: the headline status of a machine is the first of these it has. Blocked
 * comes first because nothing happens until someone acts (its cause, a failed or stuck leaf, is
 * shown beside it); a machine never backed up at all comes before one whose good backup is old.
 */
export const STATUS_ORDER: readonly MachineStatus[] = ['blocked', 'failed', 'stuck', 'never', 'stale', 'running', 'excluded', 'protected'];
export const PROTECTION_STATES: readonly Protection[] = ['protected', 'stale', 'never', 'excluded'];
const RANK = Object.fromEntries(STATUS_ORDER.map((s, i) => [s, i])) as Readonly<Record<MachineStatus, number>>;
export const RIGHT_NOW_STATES: readonly RightNow[] = ['blocked', 'failed', 'stuck', 'running'];

const LABELS: Readonly<Record<MachineStatus, string>> = {
  blocked: 'Blocked',
  failed: 'Failed',
  stuck: 'Stuck',
  stale: 'Stale',
  never: 'Never backed up',
  running: 'Running',
  excluded: 'Excluded',
  protected: 'Protected',
};

export function statusLabel(status: MachineStatus): string {
  return LABELS[status];
}

export type ClassifiableIteration = IterationState & {
  name: string;
  /** The entry's modifyTimestamp (a date, or ISO text as read): when its mode last changed. Read only where it matters. */
  modifiedAt?: Date | string | null;
};

export const CLONE_REASON = 'Dynamic clone: it is rebuilt from its golden image, and fc-brokerd never backs clones up.';

export type ClassifyInput = {
  /** All of the machine's iterations, or at least the newest, the newest finished and every unfinished one. */
  iterations: ClassifiableIteration[];
  excluded: boolean;
  /** False for ordinary dynamic clones on FOSS-Cloud, which fc-brokerd never backs up. */
  backupCandidate: boolean;
  /**
   * How often the installation's scheduler starts the machine's backups (lib/backup/schedule.ts,
   * by kind); null when it never will (the plan never fires, or the scheduler holds back for good).
   */
  periodMs: number | null;
  planWarnings: string[];
  objective: RecoveryPointObjective;
  /** Longest recorded step times on the machine's finished iterations; {} when not read. */
  steps: StepHistory;
  now: Date;
  /** For dates in the sentences. */
  timeZone: string;
  /** Whose programs act on the directory: the words for what to do next depend on it. */
  kind: InstallationKind;
  /** stoney cloud: why the wrapper skips the machine every night (lib/backup/verdict.ts), or null. */
  blocked?: string | null;
  /** stoney cloud: leaves that hold the restore of an iteration only on the node (leaf name → that iteration). */
  heldRestores?: Readonly<Record<string, string>>;
};

export type ActivityWorkflow = 'backup' | 'restore' | 'prune' | 'other';

export interface Activity {
  kind: ActivityKind;
  workflow: ActivityWorkflow;
  iteration: string;
  mode: string;
  /** What the iteration is doing, e.g. "merge", "restore phase 1 (waiting for a decision)". */
  step: string;
  /** Since when it has been in this mode, as well as the directory tells (null: unknown). */
  since: Date | null;
  /** The limit the stuck check used (null for failed iterations). */
  limit: StepLimit | null;
  /** One sentence: what is happening. */
  text: string;
  /** What an administrator should do next (null while things run as they should). */
  next: string | null;
}

export type Classification = {
  protection: Protection;
  protectionReason: string;
  activity: Activity | null;
  /** stoney cloud: why the wrapper skips the machine every night, or null. */
  blocked: string | null;
  /** The headline: the first of STATUS_ORDER the machine has. */
  status: MachineStatus;
  /** Protection, blocked and activity in one paragraph, for tables and the machine page. */
  reason: string;
  lastGood: Date | null;
  /** Name of the newest iteration. */
  latest: string | null;
  objective: RecoveryPointObjective;
};

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

export function workflowOf(mode: string): ActivityWorkflow {
  const w: ModeWorkflow = describeMode(mode).workflow;
  if (w === 'backup' || w === 'export') return 'backup';
  if (w === 'restore' || w === 'prune') return w;
  return 'other';
}

/** Since when an unfinished iteration has been in its mode: modifyTimestamp, else the state time, else (backups) the start. */
export function stepSince(it: ClassifiableIteration): Date | null {
  if (it.modifiedAt) return typeof it.modifiedAt === 'string' ? new Date(it.modifiedAt) : it.modifiedAt;
  const state = finishTime(it);
  if (state) return state;
  // A backup step started after the iteration did, so its name is a bound; a restore or prune
  // runs on an old iteration, whose name says nothing about when the step began.
  return workflowOf(it.mode) === 'backup' ? parseIterationName(it.name) : null;
}

const RETAIN_WARNING =
  'Until the merge completes, the live disk images are overlays on the snapshot in the retain directory: leave that folder alone.';

function dependsOnSnapshot(mode: string): boolean {
  const m = canonicalMode(mode);
  return m === 'snapshot' || m === 'snapshotting' || m === 'snapshotted' || m === 'merge' || m === 'merging';
}

/** What stops the machine's next backups while the iteration is there, by the kind's scheduler. */
function blocksWords(kind: InstallationKind, open: 'there' | 'open' = 'there'): string {
  return kind === 'stoney-cloud'
    ? `The stoney wrapper skips this machine every night while it is ${open} (Unblock on the machine page clears it and keeps the node's files).`
    : `No new backup of this machine starts while it is ${open}.`;
}

/** What to do about a failed step, by what the iteration was doing. */
export function failedNext(workflow: ActivityWorkflow, mode: string, kind: InstallationKind): string {
  switch (workflow) {
    case 'backup':
      return [
        kind === 'stoney-cloud'
          ? "Read the stoney wrapper's log (BackupKVMWrapper.pl) on the machine's node for this run and fix the cause."
          : "Read the node daemon's log on the machine's node for this iteration and fix the cause.",
        dependsOnSnapshot(mode) ? RETAIN_WARNING : 'The merge had completed, so the live disk images no longer depend on the snapshot.',
        kind === 'stoney-cloud'
          ? blocksWords(kind)
          : "Then set the iteration back to the failed step's command with state 0 (the node daemon retries it), or delete the iteration entry and its folder in the retain directory. " +
            blocksWords(kind),
      ].join(' ');
    case 'restore':
      return `Open the restore: retry the failed step or, while nothing live has changed, abort it. ${blocksWords(kind, 'open')}`;
    case 'prune':
      return `Some of the old iteration's files may already be gone: check its folder on the node, remove what is left, then delete the iteration entry. ${blocksWords(kind)}`;
    default:
      return 'An administrator must check the iteration entry and reset it by hand.';
  }
}

function stuckNext(workflow: ActivityWorkflow, mode: string, step: ReturnType<typeof stepOf>['kind'], health: string, kind: InstallationKind): string {
  const blocks = blocksWords(kind);
  if (workflow === 'restore') {
    if (step === 'decision') return `Open the restore and finish it or abort it. ${blocks}`;
    return `Open the restore: it shows who drives it and offers Retry or Abort. ${blocks}`;
  }
  if (health === 'pending' || step === 'stalled') {
    const who =
      kind === 'stoney-cloud'
        ? 'Nothing moves this iteration on: no node daemon runs on stoney cloud nodes, and the wrapper does not act on modes.'
        : 'Nothing moves this iteration on: the node daemon acts only on a known command whose state is 0.';
    return `${who} Reset it by hand (back to finished if its backup had completed, otherwise delete it). ${blocks}`;
  }
  const warning = workflow === 'backup' && dependsOnSnapshot(mode) ? ` ${RETAIN_WARNING}` : '';
  if (kind === 'stoney-cloud') {
    return `The stoney wrapper started this run and did not finish it: check on the machine's node whether BackupKVMWrapper.pl still works on it (its log, the process).${warning} ${blocks}`;
  }
  if (step === 'scheduler') {
    return `The scheduler did not move it on: check that the broker (fc-brokerd) runs and reaches the directory. ${blocks}`;
  }
  const who =
    describeMode(mode).kind === 'command'
      ? "No node daemon picked up the command: check that prov-backup-kvm runs on the machine's node and reaches the directory."
      : "The node daemon took the step and did not finish it: check on the machine's node whether it still works on it (its log, the process).";
  return `${who}${warning} ${blocks}`;
}

/** What one unfinished iteration is doing (null when it is finished), as the machine's status words it. */
export function describeActivity(it: ClassifiableIteration, input: Pick<ClassifyInput, 'steps' | 'now' | 'timeZone' | 'kind' | 'heldRestores'>): Activity | null {
  const health = iterationHealth(it);
  if (health === 'finished') return null;
  const workflow = workflowOf(it.mode);
  const info = describeMode(it.mode);
  const step = stepOf(it.mode);
  const since = stepSince(it);
  const at = (d: Date) => formatLocalMinute(d.getTime(), input.timeZone);
  const base = { workflow, iteration: it.name, mode: it.mode, step: step.step, since };
  const held = input.heldRestores?.[it.name];
  const subject =
    workflow === 'restore' ? (held ? `The restore of ${held} (held by leaf ${it.name})` : `The restore from ${it.name}`) : workflow === 'prune' ? `The prune of the old iteration ${it.name}` : workflow === 'backup' ? `The backup ${it.name}` : `Iteration ${it.name}`;

  if (health === 'failed') {
    const code = describeReturnCode(it.returnValue ?? 0);
    return {
      ...base,
      kind: 'failed',
      limit: null,
      text: `${subject} failed in ${step.step} (mode ${it.mode}) with code ${code.code} ${code.name}: ${code.text}`,
      next: failedNext(workflow, it.mode, input.kind),
    };
  }

  const limit: StepLimit =
    health === 'pending'
      ? {
          ms: null,
          basis:
            input.kind === 'stoney-cloud'
              ? `nothing on a stoney cloud node acts on mode ${it.mode} with state ${it.state}`
              : info.known
                ? `the node daemon ignores a ${it.mode} command whose state is not 0`
                : `no daemon knows the mode '${it.mode}'`,
        }
      : stepLimit(step, input.steps);
  const elapsed = since ? input.now.getTime() - since.getTime() : null;
  const stuck = limit.ms === null || (elapsed !== null && elapsed > limit.ms);
  if (stuck) {
    const sinceText = since ? `since ${at(since)}` : 'for an unknown time';
    const forText = elapsed !== null ? ` for ${formatDuration(elapsed)}` : '';
    return {
      ...base,
      kind: 'stuck',
      limit,
      text: `Stuck ${sinceText} in ${step.step}: ${lowerFirst(subject)} has been in mode ${it.mode}${forText}; limit ${limit.basis}.`,
      next: stuckNext(workflow, it.mode, step.kind, health, input.kind),
    };
  }
  const doing =
    workflow === 'prune' ? `Pruning the old iteration ${it.name}` : workflow === 'restore' ? `${held ? `Restore of ${held}` : `Restore from ${it.name}`} in progress` : `Backup in progress`;
  return {
    ...base,
    kind: 'running',
    limit,
    // No date here: the fleet knows a running step's start only roughly, the machine page exactly.
    text: `${doing}: ${info.label.toLowerCase()}.`,
    next: null,
  };
}

const ACTIVITY_RANK: Readonly<Record<ActivityKind, number>> = { failed: 0, stuck: 1, running: 2 };

function protectionOf(
  input: ClassifyInput,
  lastGood: Date | null,
  lastGoodName: string | null,
  latest: ClassifiableIteration | null,
  count: number,
): { protection: Protection; reason: string } {
  // The iteration's name dates it; the tables show the time in the console's zone beside it.
  const good = lastGood ? `Last good backup ${formatDuration(input.now.getTime() - lastGood.getTime())} ago (${lastGoodName})` : null;
  if (!input.backupCandidate) return { protection: 'excluded', reason: CLONE_REASON };
  if (input.excluded) {
    return { protection: 'excluded', reason: `Excluded from backup by its configuration. ${good ? `${good}.` : 'It has never been backed up.'}` };
  }
  const noRun = lowerFirst(input.planWarnings[0] ?? 'the plan has no upcoming run.');
  const objective = `the recovery point objective (${input.objective.text})`;
  // stoney cloud keeps one leaf per machine, and the wrapper replaces it only after a finished,
  // successful run (fact 7): an unfinished or failed leaf means the good backup before it is a
  // folder on the node, older than this leaf's start. That start is the best bound the
  // directory gives; a first run ever (no earlier backup) cannot be told apart from it here.
  const started = !lastGood && count === 1 && latest && input.kind === 'stoney-cloud' ? parseIterationName(latest.name) : null;
  if (started && latest) {
    const bound = `The directory keeps only the last run, ${latest.name}, which has not finished well; the stoney wrapper starts a run only after a good one, so the last good backup is older than its start ${formatDuration(input.now.getTime() - started.getTime())} ago (its folder is on the node)`;
    if (input.periodMs === null) return { protection: 'stale', reason: `${bound}, and no backup will run again: ${noRun}` };
    if (input.now.getTime() - started.getTime() > input.objective.ms) return { protection: 'stale', reason: `${bound}: older than ${objective}.` };
    return { protection: 'protected', reason: `${bound}; that start is within ${objective}.` };
  }
  if (!lastGood) {
    const what = count === 0 ? 'it has no iteration at all' : `none of its ${count} iteration${count === 1 ? '' : 's'} finished`;
    return { protection: 'never', reason: `Never backed up: ${what}.${input.periodMs === null ? ` No backup will run: ${noRun}` : ''}` };
  }
  // A scheduler that will never start another backup cannot hold any objective: the backup it
  // has ages from now on, and nobody would be told in time.
  if (input.periodMs === null) return { protection: 'stale', reason: `${good}, and no backup will run again: ${noRun}` };
  if (input.now.getTime() - lastGood.getTime() > input.objective.ms) {
    return { protection: 'stale', reason: `${good}, older than ${objective}.` };
  }
  return { protection: 'protected', reason: `${good}, within ${objective}.` };
}

/** One machine's backup status; iterations are named by start time, so name order is time order. */
export function classifyMachine(input: ClassifyInput): Classification {
  let latest: ClassifiableIteration | null = null;
  let newestGood: ClassifiableIteration | null = null;
  let lastGood: Date | null = null;
  const activities: Activity[] = [];
  for (const it of input.iterations) {
    if (!latest || it.name > latest.name) latest = it;
    const finished = iterationHealth(it) === 'finished';
    // A restore works on an iteration whose backup had completed, and leaves its folder where it
    // is: that backup is good whatever the restore does. Its state time is the restore's, so the
    // iteration's name dates it.
    if ((finished || workflowOf(it.mode) === 'restore') && (!newestGood || it.name > newestGood.name)) {
      newestGood = it;
      lastGood = (finished ? finishTime(it) : null) ?? parseIterationName(it.name);
    }
    if (!finished) {
      const activity = describeActivity(it, input);
      if (activity) activities.push(activity);
    }
  }
  // The most urgent activity is the one reported; among equals, the newest iteration.
  activities.sort((a, b) => ACTIVITY_RANK[a.kind] - ACTIVITY_RANK[b.kind] || (a.iteration < b.iteration ? 1 : a.iteration > b.iteration ? -1 : 0));
  const activity = activities[0] ?? null;
  const { protection, reason: protectionReason } = protectionOf(input, lastGood, newestGood?.name ?? null, latest, input.iterations.length);
  const blocked = protection === 'excluded' ? null : (input.blocked ?? null);
  let status: MachineStatus = protection;
  if (activity && RANK[activity.kind] < RANK[status]) status = activity.kind;
  if (blocked) status = 'blocked';
  return {
    protection,
    protectionReason,
    activity,
    blocked,
    status,
    reason: [protectionReason, blocked ? `Blocked: ${blocked}` : null, activity?.text].filter(Boolean).join(' '),
    lastGood,
    latest: latest?.name ?? null,
    objective: input.objective,
  };
}

/** The statuses a machine counts under: its protection, blocked if it is, and its activity if any. */
export function facetsOf(c: Pick<Classification, 'protection' | 'activity' | 'blocked'>): MachineStatus[] {
  const out: MachineStatus[] = [c.protection];
  if (c.blocked) out.push('blocked');
  if (c.activity) out.push(c.activity.kind);
  return out;
}
