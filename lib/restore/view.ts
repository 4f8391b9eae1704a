import { describeReturnCode } from '@/lib/backup/return-codes';
import { decodeLease, has, last, type TimedRecord } from './journal';

/**
 * Where a restore stands, derived only from what the directory holds (the iteration's mode
 * and return value, and the journal), so every console instance shows the same thing.
 */

export type RestoreStage =
  | 'copying-small-files'
  | 'deciding'
  | 'confirming'
  | 'copying-large-files'
  | 'restoring'
  | 'finished'
  | 'failed'
  /** In a restore mode but without a journal: started outside this console (VM-Manager, by hand). */
  | 'foreign'
  | 'not-a-restore';

export type StepStatus = 'done' | 'running' | 'pending' | 'failed';

export interface RestoreStep {
  key: string;
  label: string;
  status: StepStatus;
}

export interface RestoreView {
  stage: RestoreStage;
  phase: 1 | 2 | null;
  mode: string;
  steps: RestoreStep[];
  failure: (Extract<TimedRecord, { step: 'failed' }> & { returnName: string; returnText: string }) | null;
  /** Nothing live has changed yet, so the restore can still be called off. */
  canAbort: boolean;
  canRetry: boolean;
  /** libvirt refused the saved state: the retry may define and start the machine without it instead. */
  canRetryWithoutState: boolean;
  /**
   * The live machine is restored as far as it matters (images and directory entries restored,
   * domain defined from the resolved XML), so an administrator may mark the restore finished
   * and deal by hand with what `remains` names. Null when that would not be safe.
   */
  finishByHand: { remains: string[]; domainMustBeDefined: boolean } | null;
  canDecide: boolean;
  canConfirm: boolean;
  driver: { instance: string; expires: string; stale: boolean } | null;
  startedBy: string | null;
  withState: boolean | null;
}

/** The phase-2 step that restores the saved state (its failure is where a retry without the state helps). */
export const RESTORING_SAVED_STATE = 'restoring the saved state';

export const PHASE1_MODES = ['unretainSmallFiles', 'unretainingSmallFiles', 'unretainedSmallFiles'] as const;
export const COPY_MODES = ['unretainLargeFiles', 'unretainingLargeFiles', 'unretainedLargeFiles'] as const;
export const RESTORE_MODES = ['restore', 'restoring', 'restored'] as const;
export const PHASE2_MODES = [...COPY_MODES, ...RESTORE_MODES] as const;
export const ALL_RESTORE_MODES = [...PHASE1_MODES, ...PHASE2_MODES] as const;

const STEPS: { key: string; label: string }[] = [
  { key: 'small-files', label: 'Unretain the small files (domain XML and LDIF)' },
  { key: 'decide', label: 'Resolve the conflicts between backup and live machine' },
  { key: 'confirm', label: 'Confirm the plan' },
  { key: 'large-files', label: 'Unretain the large files (saved state and disk images)' },
  { key: 'verify', label: 'Verify the copies (size, qemu-img check)' },
  { key: 'stop', label: 'Stop the machine' },
  { key: 'undefine', label: 'Undefine the domain' },
  { key: 'move', label: 'Move the disk images over the live ones' },
  { key: 'directory', label: 'Bring the directory entries to the resolved state' },
  { key: 'start', label: 'Start the machine from the resolved XML' },
  { key: 'finish', label: 'Mark the iteration finished and remove the retain folder' },
];

function doneSteps(records: TimedRecord[], mode: string): Set<string> {
  const done = new Set<string>();
  const lower = mode.toLowerCase();
  const phase2 = (PHASE2_MODES as readonly string[]).some((m) => m.toLowerCase() === lower);
  if (has(records, 'small-files-copied')) done.add('small-files');
  if (has(records, 'resolved')) done.add('decide');
  if (has(records, 'confirmed')) done.add('confirm');
  if (has(records, 'large-files-verified')) {
    done.add('large-files');
    done.add('verify');
  }
  if (has(records, 'machine-stopped')) done.add('stop');
  if (has(records, 'domain-undefined')) done.add('undefine');
  if (has(records, 'directory-restored')) {
    done.add('move');
    done.add('directory');
  }
  if (has(records, 'domain-started')) done.add('start');
  if (has(records, 'finished')) done.add('finish');
  if (has(records, 'finished') || lower === 'restored') done.add('start');
  if (phase2 && !done.has('confirm')) done.add('confirm');
  return done;
}

/** The failed restore's way out without a retry, where one is safe (see RestoreView.finishByHand). */
function finishByHandOffer(records: TimedRecord[], mode: string): RestoreView['finishByHand'] {
  const started = last(records, 'started');
  if (!started) return null;
  const lower = mode.toLowerCase();
  const retain = `The retain folder ${started.retainFolder} stays on node ${started.node}: remove it by hand once it is no longer needed.`;
  if (lower === 'restored') return { remains: [retain], domainMustBeDefined: false };
  if (lower !== 'restoring' || !has(records, 'directory-restored')) return null;
  if (has(records, 'domain-started')) return { remains: [retain], domainMustBeDefined: false };
  if (!has(records, 'domain-defined')) return null;
  return {
    remains: ['The domain is defined from the resolved XML but not running: start it (virsh start) when you are ready.', retain],
    domainMustBeDefined: true,
  };
}

export function deriveRestoreView(input: {
  mode: string;
  returnValue: number | null;
  records: TimedRecord[];
  lease: string | null;
  now: Date;
}): RestoreView {
  const { mode, records } = input;
  const lower = mode.toLowerCase();
  const inPhase1 = (PHASE1_MODES as readonly string[]).some((m) => m.toLowerCase() === lower);
  const inCopy = (COPY_MODES as readonly string[]).some((m) => m.toLowerCase() === lower);
  const inRestore = (RESTORE_MODES as readonly string[]).some((m) => m.toLowerCase() === lower);
  const failedRecord = last(records, 'failed');
  const lastRetry = Math.max(
    records.lastIndexOf(last(records, 'retried') as TimedRecord),
    records.lastIndexOf(last(records, 'resumed') as TimedRecord),
  );
  const failed = (input.returnValue ?? 0) !== 0 && failedRecord !== undefined && records.lastIndexOf(failedRecord) > lastRetry;
  const resolved = has(records, 'resolved');
  let stage: RestoreStage = 'not-a-restore';
  // A console that died between writing `finished` and its journal record still finished the restore.
  if (lower === 'finished' && (has(records, 'finished') || has(records, 'domain-started'))) stage = 'finished';
  else if (inPhase1) stage = lower === 'unretainedsmallfiles' ? (resolved ? 'confirming' : 'deciding') : 'copying-small-files';
  else if (inCopy) stage = 'copying-large-files';
  else if (inRestore) stage = 'restoring';
  if (failed) stage = 'failed';
  if ((inPhase1 || inCopy || inRestore) && !has(records, 'started')) stage = 'foreign';

  const done = doneSteps(records, mode);
  const current = STEPS.find((s) => !done.has(s.key));
  // Only a step the console is carrying out is running; the others wait for the administrator (or, when foreign, for whoever started it).
  const waiting = stage === 'deciding' || stage === 'confirming' || stage === 'not-a-restore' || stage === 'foreign';
  const steps = STEPS.map((s): RestoreStep => {
    if (done.has(s.key) || stage === 'finished') return { ...s, status: 'done' };
    if (s === current) return { ...s, status: failed ? 'failed' : waiting ? 'pending' : 'running' };
    return { ...s, status: 'pending' };
  });

  const lease = decodeLease(input.lease);
  const code = failedRecord ? describeReturnCode(failedRecord.returnValue) : null;
  const nothingLiveChanged = inPhase1 || inCopy || (lower === 'restore' && !has(records, 'machine-stopped'));
  return {
    stage,
    phase: inPhase1 ? 1 : inCopy || inRestore ? 2 : null,
    mode,
    steps,
    failure: failed && failedRecord && code ? { ...failedRecord, returnName: code.name, returnText: code.text } : null,
    canAbort: (nothingLiveChanged && !has(records, 'machine-stopped') && stage !== 'finished') || (stage === 'foreign' && (inPhase1 || inCopy)),
    canRetry: failed && stage !== 'foreign',
    canRetryWithoutState: failed && stage !== 'foreign' && failedRecord?.during === RESTORING_SAVED_STATE,
    finishByHand: failed && stage !== 'foreign' ? finishByHandOffer(records, mode) : null,
    canDecide: stage === 'deciding' || stage === 'confirming',
    canConfirm: stage === 'confirming',
    driver: lease ? { instance: lease.instance, expires: lease.expires.toISOString(), stale: lease.expires.getTime() < input.now.getTime() } : null,
    startedBy: last(records, 'started')?.by ?? null,
    withState: last(records, 'resolved')?.withState ?? null,
  };
}
