import 'server-only';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { env } from '@/lib/env';
import { findRestoringIterations, readJournal, swapLease } from '@/lib/ldap/restore';
import { decodeJournal, decodeLease, encodeLease, last } from './journal';
import { AppError } from '@/lib/errors';
import { finishByHand, runPhase2, retryPhase2, type Phase2Options } from './phase2';
import { journal, type IterationRef } from './steps';
import { PHASE2_MODES } from './view';

/**
 * Phase 2 runs on the server, never in the browser. Each console instance has an id; the
 * instance driving a restore holds its lease in the journal and renews it while it works. When
 * a console dies, its lease runs out and the next sweep (here or on any other instance) takes
 * it over and continues from the journal.
 */
const leaseMs = () => env().restore.leaseMs;

type Registry = {
  instance: string;
  jobs: Map<string, Promise<unknown>>;
  progress: Map<string, { file: string; copied: number; total: number; at: number }>;
  /** Restores whose lease another instance took: this one stops before its next step. */
  handedOver: Set<string>;
  sweep?: NodeJS.Timeout;
};
const holder = globalThis as unknown as { __restoreRunner?: Registry };
const registry: Registry = (holder.__restoreRunner ??= { instance: `${hostname()}-${randomUUID().slice(0, 8)}`, jobs: new Map(), progress: new Map(), handedOver: new Set() });

export const consoleInstance = () => registry.instance;
const key = (ref: IterationRef) => `${ref.machineUuid}/${ref.iteration}`;

export function liveProgress(ref: IterationRef) {
  return registry.progress.get(key(ref)) ?? null;
}

function options(ref: IterationRef): Phase2Options {
  return {
    shutdownTimeoutMs: env().restore.shutdownTimeoutMs,
    onProgress: (file, copied, total) => registry.progress.set(key(ref), { file, copied, total, at: Date.now() }),
    handedOver: () => registry.handedOver.has(key(ref)),
    leaseLost: async () => {
      const stored = await readJournal(ref.machineUuid, ref.iteration);
      const lease = decodeLease(stored?.lease ?? null);
      return lease !== null && lease.instance !== registry.instance;
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
  if (!stored) return true;
  const lease = decodeLease(stored.lease);
  if (lease && lease.instance !== registry.instance) return false;
  if (await swapLease(ref.machineUuid, ref.iteration, stored.lease, encodeLease(registry.instance, new Date(Date.now() + leaseMs())))) return true;
  // The value moved under us: only another instance's name there means the restore is theirs now.
  const now = decodeLease((await readJournal(ref.machineUuid, ref.iteration))?.lease ?? null);
  return now === null || now.instance === registry.instance;
}

function track(ref: IterationRef, work: () => Promise<unknown>): void {
  const k = key(ref);
  if (registry.jobs.has(k)) return;
  const timer = setInterval(
    () =>
      void renewLease(ref)
        .then((ours) => {
          if (!ours) registry.handedOver.add(k);
        })
        .catch(() => undefined),
    Math.max(500, leaseMs() / 3),
  );
  const job = work()
    .catch((error: unknown) => console.error(`[restore] ${k}: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => {
      clearInterval(timer);
      registry.jobs.delete(k);
      registry.progress.delete(k);
      registry.handedOver.delete(k);
    });
  registry.jobs.set(k, job);
}

export async function launchPhase2(ref: IterationRef): Promise<boolean> {
  if (registry.jobs.has(key(ref))) return true;
  if (!(await takeLease(ref))) return false;
  track(ref, () => runPhase2(ref, options(ref)));
  return true;
}

export async function launchRetry(ref: IterationRef, by: string, retry: { withoutState?: boolean } = {}): Promise<boolean> {
  if (registry.jobs.has(key(ref))) return true;
  if (!(await takeLease(ref))) return false;
  track(ref, () => retryPhase2(ref, by, options(ref), retry));
  return true;
}

/**
 * Marks a failed restore finished by hand. Holding the lease like a retry does means a retry
 * started meanwhile, here or on another instance, and this cannot both act on the restore.
 */
export async function markFinishedByHand(ref: IterationRef, by: string): Promise<{ remains: string[] }> {
  if (registry.jobs.has(key(ref)) || !(await takeLease(ref))) throw new AppError('conflict', 'A console instance is working on this restore right now; reload to see where it stands.');
  return finishByHand(ref, by);
}

/** Test and shutdown helper: waits for this instance's running jobs. */
export async function settle(): Promise<void> {
  await Promise.all([...registry.jobs.values()]);
}

/**
 * Finds phase-2 restores nobody drives (their lease expired: the console that ran them
 * stopped) and continues them, unless the last thing that happened was a failure — a failed
 * restore waits for an administrator to read the reason and retry.
 */
export async function resumeInterruptedRestores(): Promise<string[]> {
  const resumed: string[] = [];
  for (const found of await findRestoringIterations(PHASE2_MODES)) {
    const ref = { machineUuid: found.machineUuid, iteration: found.iteration };
    if (registry.jobs.has(key(ref))) continue;
    const stored = await readJournal(ref.machineUuid, ref.iteration);
    if (!stored) continue;
    const records = decodeJournal(stored.records);
    const lastRecord = records[records.length - 1];
    if (!lastRecord || lastRecord.step === 'failed' || !last(records, 'confirmed')) continue;
    if (!(await takeLease(ref))) continue;
    await journal(ref, { step: 'resumed', by: registry.instance, after: lastRecord.step });
    track(ref, () => runPhase2(ref, options(ref)));
    resumed.push(key(ref));
  }
  return resumed;
}

/** Looks for restores to take over about twice per lease, so one that lost its console waits at most ~1.5 leases. */
export function startResumeSweep(intervalMs = Math.min(15_000, Math.max(1_000, leaseMs() / 2))): void {
  if (registry.sweep) return;
  const sweep = () => void resumeInterruptedRestores().catch((error: unknown) => console.error(`[restore] resume sweep: ${error instanceof Error ? error.message : String(error)}`));
  sweep();
  registry.sweep = setInterval(sweep, intervalMs);
  registry.sweep.unref();
}
