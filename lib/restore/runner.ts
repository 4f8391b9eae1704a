import 'server-only';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { findOpenRestores, migrateLegacyJournal, findLegacyJournals, readJournal, swapLease } from '@/lib/ldap/restore';
import { commandFor } from './daemon-protocol';
import { runDaemonDriven, retryDaemonDriven } from './daemon';
import { decodeJournal, decodeLease, encodeLease, executorOf, has, type TimedRecord } from './journal';
import { finishByHand, runPhase2, retryPhase2, type Phase2Options } from './phase2';
import { restoreStatus } from './restore-ref';
import { journal, type IterationRef } from './steps';
import { readKept, swapKeptLease } from '@/lib/ldap/kept';
import { discardExpired, discardKept, listKept, takeKeptLease } from './kept';
import { beginUndo, cancelUndo, noteResumed, retryUndo, runUndo, type UndoOptions } from './undo';
import { PHASE2_MODES } from './view';
import { RETURN_CODE } from '@/lib/backup/return-codes';

/**
 * Restores run on the server, never in the browser. Each console instance has an id; the
 * instance driving a restore holds its lease in the journal and renews it while it works. When
 * a console dies, its lease runs out and the next sweep (here or on any other instance) takes
 * it over and continues from the journal.
 *
 * What "driving" means depends on who executes the node steps (the journal says): a
 * console-driven restore is driven through phase 2 (phase 1 runs in the administrator's
 * requests); a daemon-driven one is driven from its start, waiting for the node daemon's
 * answers, up to the decisions and again from the confirmation to the end.
 */
const leaseMs = () => env().restore.leaseMs;

type Registry = {
  instance: string;
  jobs: Map<string, Promise<unknown>>;
  progress: Map<string, { file: string; copied: number; total: number; at: number }>;
  /** Restores whose lease another instance took: this one stops before its next step. */
  handedOver: Set<string>;
  sweep?: NodeJS.Timeout;
  migrated?: boolean;
  /** When this instance last discarded kept disks whose retention ended. */
  retentionAt?: number;
};
const holder = globalThis as unknown as { __restoreRunner?: Registry };
const registry: Registry = (holder.__restoreRunner ??= {
  instance: `${hostname()}-${randomUUID().slice(0, 8)}`,
  jobs: new Map(),
  progress: new Map(),
  handedOver: new Set(),
});

export const consoleInstance = () => registry.instance;
const key = (ref: IterationRef) => `${ref.machineUuid}/${ref.iteration}`;

export function liveProgress(ref: IterationRef) {
  return registry.progress.get(key(ref)) ?? null;
}

function options(ref: IterationRef): Phase2Options {
  return {
    shutdownTimeoutMs: env().restore.shutdownTimeoutMs,
    daemonTimeoutMs: env().restore.daemonTimeoutMs,
    brokerWaitMs: env().restore.brokerWaitMs,
    onProgress: (file, copied, total) => registry.progress.set(key(ref), { file, copied, total, at: Date.now() }),
    handedOver: () => registry.handedOver.has(key(ref)),
    // Lost: another instance holds it, or the restore ended meanwhile (closed or aborted by another instance).
    leaseLost: async () => {
      const stored = await readJournal(ref.machineUuid, ref.iteration);
      const lease = decodeLease(stored?.lease ?? null);
      return lease === null || lease.instance !== registry.instance;
    },
  };
}

/** Takes the lease if it is free, expired or already ours; false when another live instance drives. */
async function takeLease(ref: IterationRef): Promise<boolean> {
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  if (!stored) return false;
  const lease = decodeLease(stored.lease);
  if (lease && lease.instance !== registry.instance && lease.expires.getTime() > Date.now()) return false;
  return swapLease(ref.machineUuid, ref.iteration, stored.lease, encodeLease(registry.instance, new Date(Date.now() + leaseMs())));
}

/** Renews our lease; false when another instance holds it now (ours ran out while this process stood still). */
async function renewLease(ref: IterationRef): Promise<boolean> {
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  // No journal, or no lease: the restore ended (aborted, or finished and closed): whoever drives it, it is not this instance any more.
  if (!stored || stored.lease === null) return false;
  const lease = decodeLease(stored.lease);
  if (lease && lease.instance !== registry.instance) return false;
  if (await swapLease(ref.machineUuid, ref.iteration, stored.lease, encodeLease(registry.instance, new Date(Date.now() + leaseMs()))))
    return true;
  // The value moved under us: only another instance's name there means the restore is theirs now.
  const now = decodeLease((await readJournal(ref.machineUuid, ref.iteration))?.lease ?? null);
  return now === null || now.instance === registry.instance;
}

/** A daemon-driven restore that now waits for a person needs no driver: the lease is let go, so the confirmation is taken up at once wherever it arrives. */
async function releaseLease(ref: IterationRef): Promise<void> {
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  const lease = decodeLease(stored?.lease ?? null);
  if (stored?.lease && lease?.instance === registry.instance)
    await swapLease(ref.machineUuid, ref.iteration, stored.lease, encodeLease(registry.instance, new Date()));
}

function track(ref: IterationRef, work: () => Promise<unknown>): void {
  trackJob(
    key(ref),
    () => renewLease(ref),
    work,
    async (outcome) => {
      if (outcome === 'waiting') await releaseLease(ref);
    },
  );
}

/** Runs `work` on this instance, renewing its lease with `renew` while it runs (false: another instance has it now). */
function trackJob(
  k: string,
  renew: () => Promise<boolean>,
  work: () => Promise<unknown>,
  after?: (outcome: unknown) => Promise<void>,
): void {
  if (registry.jobs.has(k)) return;
  const timer = setInterval(
    () =>
      void renew()
        .then((ours) => {
          if (!ours) registry.handedOver.add(k);
        })
        .catch(() => undefined),
    Math.max(500, leaseMs() / 3),
  );
  const job = work()
    .then(async (outcome) => {
      clearInterval(timer);
      await after?.(outcome);
    })
    .catch((error: unknown) => console.error(`[restore] ${k}: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => {
      clearInterval(timer);
      registry.jobs.delete(k);
      registry.progress.delete(k);
      registry.handedOver.delete(k);
    });
  registry.jobs.set(k, job);
}

async function executor(ref: IterationRef) {
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  return executorOf(stored ? decodeJournal(stored.records) : []);
}

/** Drives the restore on this instance (see above): returns false when another live instance drives it. */
export async function launchDriver(ref: IterationRef): Promise<boolean> {
  if (registry.jobs.has(key(ref))) return true;
  if (!(await takeLease(ref))) return false;
  const daemon = (await executor(ref)) === 'daemon';
  track(ref, () => (daemon ? runDaemonDriven(ref, options(ref)) : runPhase2(ref, options(ref))));
  return true;
}

/** After the confirmation: phase 2, on either path. */
export const launchPhase2 = launchDriver;

/**
 * Continues a failed restore. `withoutState` (console-driven only: the node daemon decides by
 * itself whether it restores the saved state) defines and starts the machine instead.
 */
export async function launchRetry(ref: IterationRef, by: string, retry: { withoutState?: boolean } = {}): Promise<boolean> {
  if (registry.jobs.has(key(ref))) return true;
  const daemon = (await executor(ref)) === 'daemon';
  if (daemon && retry.withoutState)
    throw new AppError(
      'conflict',
      'The node daemon executes this restore and decides by itself whether it restores the saved state; retry it as it is.',
    );
  if (!(await takeLease(ref))) return false;
  track(ref, () => (daemon ? retryDaemonDriven(ref, by, options(ref)) : retryPhase2(ref, by, options(ref), retry)));
  return true;
}

/**
 * Marks a failed restore finished by hand. Holding the lease like a retry does means a retry
 * started meanwhile, here or on another instance, and this cannot both act on the restore.
 */
export async function markFinishedByHand(ref: IterationRef, by: string): Promise<{ remains: string[] }> {
  if (registry.jobs.has(key(ref)) || !(await takeLease(ref)))
    throw new AppError('conflict', 'A console instance is working on this restore right now; reload to see where it stands.');
  return finishByHand(ref, by);
}

/** Test and shutdown helper: waits for this instance's running jobs. */
export async function settle(): Promise<void> {
  await Promise.all([...registry.jobs.values()]);
}

/** Whether an open restore needs a driver now, from its journal and the iteration. */
function needsDriver(records: TimedRecord[], mode: string, returnValue: number | null): boolean {
  const lastRecord = records[records.length - 1];
  if (!lastRecord || !has(records, 'started')) return false;
  // A failed restore waits for an administrator to read the reason and retry, unless the failure is gone (a node daemon that answered late).
  if (lastRecord.step === 'failed' && (returnValue ?? RETURN_CODE.SUCCESS) !== RETURN_CODE.SUCCESS) return false;
  const lower = mode.toLowerCase();
  const inPhase2 = (PHASE2_MODES as readonly string[]).some((m) => m.toLowerCase() === lower);
  if (executorOf(records) === 'console') return inPhase2 && has(records, 'confirmed');
  // Daemon-driven: waiting for the daemon in phase 1 too, and the result check after the broker finished a `restored`.
  if (lower === 'unretainedsmallfiles') return has(records, 'confirmed');
  if (inPhase2) return has(records, 'confirmed');
  if (commandFor(mode) === 'unretainSmallFiles') return true;
  return lower === 'finished' && !has(records, 'finished');
}

/**
 * Finds restores nobody drives (their lease expired: the console that ran them stopped) and
 * continues them, unless the last thing that happened was a failure — a failed restore waits
 * for an administrator to read the reason and retry.
 */
export async function resumeInterruptedRestores(): Promise<string[]> {
  const resumed: string[] = [];
  for (const ref of await findOpenRestores()) {
    if (registry.jobs.has(key(ref))) continue;
    const stored = await readJournal(ref.machineUuid, ref.iteration);
    const status = stored ? await restoreStatus(ref, stored).catch(() => null) : null;
    if (!stored || !status) continue;
    const records = decodeJournal(stored.records);
    if (!needsDriver(records, status.mode, status.returnValue)) continue;
    const lease = decodeLease(stored.lease);
    if (lease && lease.instance !== registry.instance && lease.expires.getTime() > Date.now()) continue;
    if (!(await takeLease(ref))) continue;
    await journal(ref, { step: 'resumed', by: registry.instance, after: records[records.length - 1].step });
    const daemon = executorOf(records) === 'daemon';
    track(ref, () => (daemon ? runDaemonDriven(ref, options(ref)) : runPhase2(ref, options(ref))));
    resumed.push(key(ref));
  }
  return resumed;
}

/**
 * Journals an older console left below iteration leaves are moved to the console's subtree, so
 * that no leaf has a child (the stoney wrapper could not replace it, daemons.md fact 7).
 */
export async function moveLegacyJournals(): Promise<number> {
  let moved = 0;
  for (const found of await findLegacyJournals()) {
    const stored = await readJournal(found.machineUuid, found.iteration);
    const ended = stored ? decodeJournal(stored.records).at(-1)?.step === 'finished' : false;
    if (await migrateLegacyJournal(found.machineUuid, found.iteration, { dropLease: ended })) moved += 1;
  }
  return moved;
}

// --- Undo and kept disks -------------------------------------------------------------------

const undoKey = (id: string) => `undo:${id}`;

export const undoRunning = (id: string) => registry.jobs.has(undoKey(id));

function undoOptions(id: string): UndoOptions {
  return {
    shutdownTimeoutMs: env().restore.shutdownTimeoutMs,
    instance: registry.instance,
    handedOver: () => registry.handedOver.has(undoKey(id)),
    leaseLost: async () => {
      const lease = decodeLease((await readKept(id))?.lease ?? null);
      return lease === null || lease.instance !== registry.instance;
    },
  };
}

async function renewKeptLease(id: string): Promise<boolean> {
  const stored = await readKept(id);
  if (!stored || stored.lease === null) return false;
  const lease = decodeLease(stored.lease);
  if (lease && lease.instance !== registry.instance) return false;
  if (await swapKeptLease(id, stored.lease, encodeLease(registry.instance, new Date(Date.now() + leaseMs())))) return true;
  const now = decodeLease((await readKept(id))?.lease ?? null);
  return now === null || now.instance === registry.instance;
}

/** Lets go of a kept record's lease this instance took for nothing (the undo was refused before it started). */
async function releaseKeptLease(id: string): Promise<void> {
  const stored = await readKept(id);
  const lease = decodeLease(stored?.lease ?? null);
  if (stored?.lease && lease?.instance === registry.instance)
    await swapKeptLease(id, stored.lease, encodeLease(registry.instance, new Date()));
}

async function withKeptLease(id: string): Promise<void> {
  if (registry.jobs.has(undoKey(id)) || !(await takeKeptLease(id, registry.instance, leaseMs()))) {
    throw new AppError('conflict', 'A console instance is working on this restore’s kept disks right now; reload to see where it stands.');
  }
}

/** Takes the kept record's lease for one step of an undo, and gives it back if the step fails. */
async function underKeptLease(id: string, step: () => Promise<void>): Promise<void> {
  await withKeptLease(id);
  try {
    await step();
  } catch (error) {
    await releaseKeptLease(id).catch(() => undefined);
    throw error;
  }
}

function trackUndo(id: string): void {
  trackJob(
    undoKey(id),
    () => renewKeptLease(id),
    () => runUndo(id, undoOptions(id)),
  );
}

/** Undoes a finished restore on this instance, after the checks (undo.ts); returns once it runs. */
export async function launchUndo(id: string, by: string): Promise<void> {
  await underKeptLease(id, () => beginUndo(id, by));
  trackUndo(id);
}

/** Continues a failed undo from where it stopped. */
export async function launchUndoRetry(id: string, by: string): Promise<void> {
  await underKeptLease(id, () => retryUndo(id, by));
  trackUndo(id);
}

/** Calls off an undo that has not touched the machine. */
export async function callOffUndo(id: string, by: string): Promise<void> {
  await underKeptLease(id, () => cancelUndo(id, by));
}

/** Removes a restore's kept disks and its record (see discardKept). */
export async function discardKeptDisks(id: string): Promise<Awaited<ReturnType<typeof discardKept>>> {
  if (registry.jobs.has(undoKey(id))) throw new AppError('conflict', 'An undo of this restore runs right now.');
  return discardKept(id, registry.instance, leaseMs());
}

/** Undos nobody drives any more (their console stopped): taken over and continued, unless they failed (an administrator retries those). */
export async function resumeInterruptedUndos(): Promise<string[]> {
  const resumed: string[] = [];
  for (const view of await listKept()) {
    if (view.status !== 'undoing' || registry.jobs.has(undoKey(view.id))) continue;
    if (view.driver && view.driver.instance !== registry.instance && !view.driver.stale) continue;
    if (!(await takeKeptLease(view.id, registry.instance, leaseMs()))) continue;
    await noteResumed(view.id, registry.instance);
    trackJob(
      undoKey(view.id),
      () => renewKeptLease(view.id),
      () => runUndo(view.id, undoOptions(view.id)),
    );
    resumed.push(view.id);
  }
  return resumed;
}

/** The retention of kept disks, at most every 10 minutes per instance (RESTORE_KEEP_HOURS). */
export async function enforceKeptRetention(now = Date.now()): Promise<string[]> {
  if (registry.retentionAt !== undefined && now - registry.retentionAt < 600_000) return [];
  registry.retentionAt = now;
  return discardExpired(registry.instance, leaseMs());
}

/** Looks for restores to take over about twice per lease, so one that lost its console waits at most ~1.5 leases. */
export function startResumeSweep(intervalMs = Math.min(15_000, Math.max(1_000, leaseMs() / 2))): void {
  if (registry.sweep) return;
  const sweep = async () => {
    if (!registry.migrated) {
      const moved = await moveLegacyJournals();
      registry.migrated = true;
      if (moved > 0)
        console.info(`[restore] moved ${moved} restore journal(s) from below iteration leaves to ou=restores,ou=backup-console`);
    }
    await resumeInterruptedRestores();
    await resumeInterruptedUndos();
    const discarded = await enforceKeptRetention();
    if (discarded.length > 0)
      console.info(`[restore] discarded the kept disks of ${discarded.length} restore(s) whose retention (RESTORE_KEEP_HOURS) ended`);
  };
  const run = () =>
    void sweep().catch((error: unknown) =>
      console.error(`[restore] resume sweep: ${error instanceof Error ? error.message : String(error)}`),
    );
  run();
  registry.sweep = setInterval(run, intervalMs);
  registry.sweep.unref();
}
