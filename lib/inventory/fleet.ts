import 'server-only';
import { requireAccess } from '@/lib/auth/access';
import { can, canEverywhere, type Grants } from '@/lib/auth/capabilities';
import { env } from '@/lib/env';
import { resolveEffectiveConfig, type BackupConfigEntry, type EffectiveConfig } from '@/lib/backup/config';
import type { InstallationKind } from '@/lib/backup/installation';
import { nodeFacts, nodeTimeZone, readInstallation, type InstallationView } from '@/lib/backup/installation-reader';
import { iterationHealth } from '@/lib/backup/iteration';
import { brokerScheduleFacts, wrapperScheduleFacts, type ScheduleFacts } from '@/lib/backup/schedule';
import { classifyMachine, type MachineStatus } from '@/lib/backup/status';
import { backupVerdict, isBackupCandidate, type BackupVerdict } from '@/lib/backup/verdict';
import type { CronPlan } from '@/lib/cron';
import type { EntryProblem } from '@/lib/ldap/entry';
import { readCloudBackupConfig, searchBackupTree, searchPoolBackupConfigs, type IterationSummary } from '@/lib/ldap/backup';
import { searchMachineSummaries, type MachineSummary } from '@/lib/ldap/machines';
import { searchPools, type Pool } from '@/lib/ldap/pools';
import { cachedFleet } from './cache';

export interface FleetMachine extends MachineSummary {
  poolName: string | null;
  status: MachineStatus;
  reason: string;
  lastFinished: Date | null;
  latest: IterationSummary | null;
  iterationCount: number;
  configLevel: EffectiveConfig['level'];
  excluded: boolean;
  /** Whether the installation's scheduler goes on backing it up (lib/backup/verdict.ts). */
  backedUp: boolean;
}

export interface Fleet {
  kind: InstallationKind;
  machines: FleetMachine[];
  pools: Pool[];
  problems: EntryProblem[];
  readAt: Date;
}

/** The plan fc-brokerd reads (FOSS-Cloud); fields it lacks stay empty so the warnings can name them. */
export function effectivePlan(effective: EffectiveConfig): CronPlan {
  if (effective.broker) return effective.broker.plan;
  const cron = effective.entry?.values.cron ?? {};
  return {
    minute: cron.minute ?? '',
    hour: cron.hour ?? '',
    day: cron.day ?? '',
    month: cron.month ?? '',
    dayOfWeek: cron.dayOfWeek ?? '',
    active: cron.active ?? false,
  };
}

export { isBackupCandidate };

/** What classification needs to know about the installation beyond the directory entries. */
export type KindContext = {
  installation: InstallationView;
  /** Whether the machine has an ou=backup at all (stoney cloud: a leafless one stops the wrapper). */
  hasBackupEntry: boolean;
  /** Every iteration leaf of the machine (the verdict counts them). */
  leaves: IterationSummary[];
};

/**
 * Classifies one machine under the rules of the installation's kind. Plans are shared by
 * thousands of machines, so their period and warnings are computed once per distinct plan and
 * node through `planFacts`.
 */
export function assessMachine(
  machine: MachineSummary,
  configs: { machine: BackupConfigEntry | null; pool: BackupConfigEntry | null; cloud: BackupConfigEntry | null },
  iterations: IterationSummary[],
  now: Date,
  planFacts: (effective: EffectiveConfig, node: string | null) => ScheduleFacts,
  context: KindContext,
  resolved?: EffectiveConfig,
): { effective: EffectiveConfig; classification: ReturnType<typeof classifyMachine>; verdict: BackupVerdict; facts: ScheduleFacts } {
  const kind = context.installation.kind;
  const effective = resolved ?? resolveEffectiveConfig(configs, kind);
  const facts = planFacts(effective, machine.node);
  const verdict = backupVerdict({
    kind,
    effective,
    machine,
    hasBackupEntry: context.hasBackupEntry,
    leaves: context.leaves,
    now,
    broker: { refusal: facts.warnings[0] ?? null, next: facts.next, failures: facts.failures },
    wrapper: wrapperFacts(context.installation, machine.node),
  });
  // What the scheduler will not do (fc-brokerd holding back for good, fact 5) counts like a plan that never runs.
  const stopsForGood = kind === 'foss-cloud' && !verdict.backedUp && !verdict.excluded && context.leaves.length > (effective.broker?.iterations ?? 0) && context.leaves.every((l) => l.mode === 'finished');
  const classification = classifyMachine({
    iterations,
    excluded: effective.excluded,
    backupCandidate: kind === 'stoney-cloud' || isBackupCandidate(machine),
    periodMs: effective.level === 'none' || stopsForGood ? null : facts.periodMs,
    planWarnings: effective.level === 'none' ? ['No backup configuration applies to this machine.'] : stopsForGood ? [verdict.reason] : facts.warnings,
    now,
    blocked: verdict.blocked ? verdict.reason : null,
  });
  return { effective, classification, verdict, facts };
}

function wrapperFacts(installation: InstallationView, node: string | null) {
  const facts = nodeFacts(installation, node);
  return facts?.read ? { read: true as const, lines: facts.wrapperLines.length, node: facts.node } : { read: false as const };
}

/**
 * Plan facts outlive one read: a cloud has a plan per machine with its own schedule, and
 * working out a period walks the calendar (about 50 ms per read for 150 plans). They are
 * recomputed each hour, which is plenty for a period that only daylight-saving changes move.
 */
const planFactsMemo = new Map<string, ScheduleFacts>();

export function planFactsCache(installation: InstallationView, now: Date) {
  const hour = Math.floor(now.getTime() / 3_600_000);
  return (effective: EffectiveConfig, node: string | null): ScheduleFacts => {
    const stoney = installation.kind === 'stoney-cloud';
    const facts = stoney ? nodeFacts(installation, node) : null;
    const lines = facts?.read ? facts.wrapperLines : null;
    const zone = stoney ? nodeTimeZone(installation, node).zone : installation.configuredTimeZone;
    const plan = stoney ? lines : effectivePlan(effective);
    const key = `${installation.kind} ${zone} ${hour} ${stoney ? (node ?? '') : ''} ${JSON.stringify(plan)}`;
    let facts2 = planFactsMemo.get(key);
    if (!facts2) {
      facts2 = stoney ? wrapperScheduleFacts(lines, node, zone, now) : brokerScheduleFacts(effectivePlan(effective), zone, now);
      if (planFactsMemo.size >= 5000) planFactsMemo.clear();
      planFactsMemo.set(key, facts2);
    }
    return facts2;
  };
}

/** The fleet for a page: what the signed-in person may see of it, from a read reused for a few seconds (see cache.ts). */
export async function loadFleet(): Promise<Fleet> {
  const access = await requireAccess('view');
  const { ldap, cacheSeconds } = env();
  return fleetFor(await cachedFleet(`${ldap.url} ${ldap.baseDn} ${ldap.bindDn}`, cacheSeconds * 1000, readFleet), access.grants);
}

/**
 * The part of the fleet a person limited to some pools may see: their pools, the machines in them,
 * and the entry problems found there. Counts, lists and filters are built from this, so the fleet
 * pages show only permitted pools' machines, as if the others did not exist.
 */
export function fleetFor(fleet: Fleet, grants: Grants): Fleet {
  if (canEverywhere(grants, 'view')) return fleet;
  const machines = fleet.machines.filter((m) => can(grants, 'view', m.poolUuid ?? null));
  const pools = fleet.pools.filter((p) => can(grants, 'view', p.uuid));
  const visible = [...machines, ...pools].map((x) => `,${x.dn.toLowerCase()}`);
  const problems = fleet.problems.filter((p) => visible.some((dn) => `,${p.dn.toLowerCase()}`.endsWith(dn)));
  return { ...fleet, machines, pools, problems };
}

/** Whether a mode means finished depends on the mode alone; a cloud uses a handful of them. */
const finishedModes = new Map<string, boolean>();
function isFinished(mode: string): boolean {
  let finished = finishedModes.get(mode);
  if (finished === undefined) {
    finished = iterationHealth({ mode, state: '0', returnValue: null }) === 'finished';
    if (finishedModes.size < 1000) finishedModes.set(mode, finished);
  }
  return finished;
}

/**
 * The iterations that decide a machine's status: the newest, the newest finished and the newest
 * unfinished (classifyMachine looks at nothing else). A machine keeps ten or more iterations, so
 * classification gets at most three instead of sorting all of them.
 */
export function decisiveIterations(iterations: IterationSummary[]): { latest: IterationSummary | null; decisive: IterationSummary[] } {
  let latest: IterationSummary | null = null;
  let finished: IterationSummary | null = null;
  let unfinished: IterationSummary | null = null;
  for (const it of iterations) {
    if (!latest || it.name > latest.name) latest = it;
    if (isFinished(it.mode)) {
      if (!finished || it.name > finished.name) finished = it;
    } else if (!unfinished || it.name > unfinished.name) {
      unfinished = it;
    }
  }
  const decisive = [latest, finished, unfinished].filter((it, i, list): it is IterationSummary => it !== null && list.indexOf(it) === i);
  return { latest, decisive };
}

/** A plain ou=backup (no configuration class, no values) changes nothing; most machines have one. */
function isEmptyMachineEntry(entry: BackupConfigEntry | null): boolean {
  return entry === null || (!entry.hasConfigClass && Object.keys(entry.values).length === 0);
}

/** The whole fleet with each machine's backup status: six searches, independent of its size. */
export async function readFleet(): Promise<Fleet> {
  const problems: EntryProblem[] = [];
  const installation = await readInstallation();
  const stoney = installation.kind === 'stoney-cloud';
  const [machines, backupTree, pools, poolConfigs, cloud] = await Promise.all([
    searchMachineSummaries(problems),
    // On stoney cloud a plain ou=backup without a leaf, and entries below a leaf, stop the wrapper.
    searchBackupTree(problems, stoney ? { everyBackupEntry: true, leafChildren: true } : {}),
    searchPools(problems),
    searchPoolBackupConfigs(),
    readCloudBackupConfig(),
  ]);
  const now = new Date();
  const poolNames = new Map(pools.map((p) => [p.uuid.toLowerCase(), p.name]));
  const facts = planFactsCache(installation, now);
  // Machines that follow their pool share one resolution per pool.
  const byPool = new Map<string, EffectiveConfig>();
  const fleet = machines.map((machine): FleetMachine => {
    const uuid = machine.uuid.toLowerCase();
    const pool = machine.poolUuid?.toLowerCase() ?? '';
    const iterations = backupTree.iterations.get(uuid) ?? [];
    const { latest, decisive } = decisiveIterations(iterations);
    const own = backupTree.configs.get(uuid) ?? null;
    const configs = { machine: own, pool: poolConfigs.get(pool) ?? null, cloud };
    let resolved: EffectiveConfig | undefined;
    if (isEmptyMachineEntry(own)) {
      resolved = byPool.get(pool) ?? resolveEffectiveConfig({ ...configs, machine: null }, installation.kind);
      byPool.set(pool, resolved);
    }
    const hasBackupEntry = stoney ? backupTree.withBackupEntry.has(uuid) : iterations.length > 0 || own !== null;
    const { effective, classification, verdict } = assessMachine(machine, configs, decisive, now, facts, { installation, hasBackupEntry, leaves: iterations }, resolved);
    return {
      ...machine,
      poolName: poolNames.get(pool) ?? null,
      status: classification.status,
      reason: classification.reason,
      lastFinished: classification.lastFinished,
      latest,
      iterationCount: iterations.length,
      configLevel: effective.level,
      excluded: effective.excluded,
      backedUp: verdict.backedUp,
    };
  });
  return { kind: installation.kind, machines: fleet, pools, problems, readAt: now };
}
