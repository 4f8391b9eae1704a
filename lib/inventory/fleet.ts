import 'server-only';
import { requireAdmin } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { resolveEffectiveConfig, type BackupConfigEntry, type EffectiveConfig } from '@/lib/backup/config';
import { isBackupCandidate } from '@/lib/backup/clones';
import { historyNights, nightCells, nightIndex, plannedNights, type Night, type PlannedNights } from '@/lib/backup/history';
import { iterationHealth } from '@/lib/backup/iteration';
import { recoveryPointObjective, type ObjectiveSettings, type RecoveryPointObjective } from '@/lib/backup/objective';
import { classifyMachine, stepSince, type Activity, type ClassifiableIteration, type Classification, type MachineStatus, type Protection } from '@/lib/backup/status';
import { STEP_FLOOR_MS, stepHistory, stepOf, type StepHistory } from '@/lib/backup/step-limits';
import { schedulerWarnings, typicalPeriodMs, type CronPlan } from '@/lib/cron';
import type { EntryProblem } from '@/lib/ldap/entry';
import { readCloudBackupConfig, readIterations, searchBackupTree, searchPoolBackupConfigs, type Iteration, type IterationSummary } from '@/lib/ldap/backup';
import { searchMachineSummaries, type MachineSummary } from '@/lib/ldap/machines';
import { searchPools, type Pool } from '@/lib/ldap/pools';
import { cachedFleet } from './cache';
import { readObjectivesOrDefaults } from './objectives';

export { isBackupCandidate };

export interface FleetMachine extends MachineSummary {
  poolName: string | null;
  /** The headline: the most urgent of protection and activity. */
  status: MachineStatus;
  protection: Protection;
  protectionReason: string;
  activity: Activity | null;
  reason: string;
  lastGood: Date | null;
  latest: IterationSummary | null;
  iterationCount: number;
  configLevel: EffectiveConfig['level'];
  excluded: boolean;
  backupCandidate: boolean;
  objective: RecoveryPointObjective;
  /** One code per night of `Fleet.nights` (lib/backup/history). */
  history: string;
}

export interface Fleet {
  machines: FleetMachine[];
  pools: Pool[];
  problems: EntryProblem[];
  readAt: Date;
  objectives: ObjectiveSettings;
  /** The nights of every machine's `history`, oldest first. */
  nights: Night[];
}

/** The plan the scheduler would use; fields it lacks stay empty so the warnings can name them. */
export function effectivePlan(effective: EffectiveConfig): CronPlan {
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

export interface PlanFacts {
  periodMs: number | null;
  warnings: string[];
  planned: Omit<PlannedNights, 'nowMinute'>;
}

/**
 * Plan facts outlive one read: a cloud has a plan per machine with its own schedule, and
 * working out a period walks the calendar (about 50 ms per read for 150 plans). They are
 * recomputed each hour, which is plenty for a period that only daylight-saving changes move.
 */
const planFactsMemo = new Map<string, PlanFacts>();

export function planFactsCache(timeZone: string, now: Date, nights: readonly Night[] = historyNights(now, timeZone)) {
  const hour = Math.floor(now.getTime() / 3_600_000);
  const today = nights[nights.length - 1]?.date ?? '';
  // Machines that follow their pool share one resolved configuration object per read: their
  // plan's facts are looked up once for all of them, not once per machine.
  const byConfig = new WeakMap<EffectiveConfig, PlanFacts>();
  const forPlan = (plan: CronPlan): PlanFacts => {
    const key = `${timeZone} ${hour} ${today} ${JSON.stringify(plan)}`;
    let facts = planFactsMemo.get(key);
    if (!facts) {
      const periodMs = typicalPeriodMs(plan, timeZone, now);
      const warnings = schedulerWarnings(plan);
      const { nights: planned, firstRunToday } = plannedNights(plan, periodMs !== null && warnings.length === 0, nights, now, timeZone);
      facts = { periodMs, warnings, planned: { nights: planned, firstRunToday } };
      if (planFactsMemo.size >= 5000) planFactsMemo.clear();
      planFactsMemo.set(key, facts);
    }
    return facts;
  };
  return (effective: EffectiveConfig): PlanFacts => {
    let facts = byConfig.get(effective);
    if (!facts) {
      facts = forPlan(effectivePlan(effective));
      byConfig.set(effective, facts);
    }
    return facts;
  };
}

export interface AssessInput {
  machine: MachineSummary;
  configs: { machine: BackupConfigEntry | null; pool: BackupConfigEntry | null; cloud: BackupConfigEntry | null };
  iterations: ClassifiableIteration[];
  steps: StepHistory;
  now: Date;
  facts: (effective: EffectiveConfig) => PlanFacts;
  objectives: ObjectiveSettings;
  timeZone: string;
  resolved?: EffectiveConfig;
}

/** Classifies one machine; every page that shows a machine's status goes through here. */
export function assessMachine(input: AssessInput): { effective: EffectiveConfig; classification: Classification; facts: PlanFacts } {
  const effective = input.resolved ?? resolveEffectiveConfig(input.configs);
  const facts = input.facts(effective);
  const periodMs = effective.level === 'none' ? null : facts.periodMs;
  const classification = classifyMachine({
    iterations: input.iterations,
    excluded: effective.excluded,
    backupCandidate: isBackupCandidate(input.machine),
    periodMs,
    planWarnings: effective.level === 'none' ? ['No backup configuration applies to this machine.'] : facts.warnings,
    objective: recoveryPointObjective(input.objectives, input.machine.poolUuid, periodMs),
    steps: input.steps,
    now: input.now,
    timeZone: input.timeZone,
  });
  return { effective, classification, facts };
}

const NEVER_PLANNED: PlanFacts['planned'] = { nights: 'never', firstRunToday: null };

/** The history cells of one machine, from all its iterations and its classification. */
export function machineHistory(input: {
  nights: readonly Night[];
  index: ReadonlyMap<number, number>;
  iterations: readonly IterationSummary[];
  facts: PlanFacts;
  nowMinute: number;
  effective: EffectiveConfig;
  classification: Classification;
  createdAt: string | null;
}): string {
  const activity = input.classification.activity;
  return nightCells({
    nights: input.nights,
    index: input.index,
    iterations: input.iterations,
    planned: input.effective.level === 'none' ? NEVER_PLANNED : input.facts.planned,
    nowMinute: input.nowMinute,
    excluded: input.classification.protection === 'excluded',
    createdAt: input.createdAt,
    stuck: activity?.kind === 'stuck' ? activity.iteration : null,
  });
}

/** The fleet for a page: for the signed-in administrator, reused for a few seconds (see cache.ts). */
export async function loadFleet(): Promise<Fleet> {
  await requireAdmin();
  return loadFleetUnchecked();
}

/**
 * The same shared, cached read without a session: only for callers that authenticate the
 * request themselves (the metrics endpoint checks its bearer token).
 */
export function loadFleetUnchecked(): Promise<Fleet> {
  const { ldap, cacheSeconds } = env();
  return cachedFleet(`${ldap.url} ${ldap.baseDn} ${ldap.bindDn}`, cacheSeconds * 1000, readFleet);
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
 * The iterations that decide a machine's status: the newest, the newest finished and every
 * unfinished one (classifyMachine looks at nothing else). A machine keeps ten or more
 * iterations, nearly all finished, so classification gets two or three instead of all.
 */
export function decisiveIterations<T extends IterationSummary>(iterations: readonly T[]): { latest: T | null; decisive: T[] } {
  let latest: T | null = null;
  let finished: T | null = null;
  const unfinished: T[] = [];
  for (const it of iterations) {
    if (!latest || it.name > latest.name) latest = it;
    if (it.mode === 'finished' || isFinished(it.mode)) {
      if (!finished || it.name > finished.name) finished = it;
    } else {
      unfinished.push(it);
    }
  }
  const decisive = [latest, finished, ...unfinished].filter((it, i, list): it is T => it !== null && list.indexOf(it) === i);
  return { latest, decisive };
}

/**
 * Whether telling running from stuck needs the step times of the machine's finished iterations,
 * which the fleet read does not fetch: only for a step whose limit depends on them (a backup or
 * restore copy step the daemon times) and that has been in its mode for at least the floor (no
 * limit is shorter). Failed iterations are failed however long; a command nobody acts on is
 * stuck at once; waits for the scheduler, prunes and decisions have fixed limits.
 */
export function needsStepDetails(iterations: readonly IterationSummary[], now: Date): boolean {
  return iterations.some((it) => {
    if (it.mode === 'finished' || isFinished(it.mode)) return false;
    if (iterationHealth(it) !== 'running') return false;
    const step = stepOf(it.mode);
    if (step.kind !== 'work' || step.measuredBy === null) return false;
    const since = stepSince(it);
    return since === null || now.getTime() - since.getTime() >= STEP_FLOOR_MS;
  });
}


/** A plain ou=backup (no configuration class, no values) changes nothing; most machines have one. */
function isEmptyMachineEntry(entry: BackupConfigEntry | null): boolean {
  return entry === null || (!entry.hasConfigClass && Object.keys(entry.values).length === 0);
}

/**
 * The whole fleet with each machine's backup status and its last nights: eight searches,
 * independent of its size, plus one small read per machine whose backup step has run longer
 * than the floor (normally none; in a neglected directory one per stuck step).
 */
export async function readFleet(): Promise<Fleet> {
  const problems: EntryProblem[] = [];
  const [machines, backupTree, pools, poolConfigs, cloud, objectives] = await Promise.all([
    searchMachineSummaries(problems),
    searchBackupTree(problems),
    searchPools(problems),
    searchPoolBackupConfigs(),
    readCloudBackupConfig(),
    readObjectivesOrDefaults(problems),
  ]);
  const now = new Date();
  const { nodeTimeZone, consoleTimeZone } = env();
  const nights = historyNights(now, nodeTimeZone);
  const nowMinute = plannedNights(null, false, nights, now, nodeTimeZone).nowMinute;
  const index = nightIndex(nights);
  const poolNames = new Map(pools.map((p) => [p.uuid.toLowerCase(), p.name]));
  const facts = planFactsCache(nodeTimeZone, now, nights);
  // Machines that follow their pool share one resolution per pool.
  const byPool = new Map<string, EffectiveConfig>();

  // The few machines whose unfinished iteration may be stuck: their iterations with step times
  // and modifyTimestamp, one small one-level search each, side by side on the pooled connections.
  const details = new Map<string, Iteration[]>();
  await Promise.all(
    machines
      .filter((m) => needsStepDetails(backupTree.iterations.get(m.uuid.toLowerCase()) ?? [], now))
      .map(async (m) => {
        details.set(m.uuid.toLowerCase(), await readIterations(m.uuid, problems));
      }),
  );

  const fleet = machines.map((machine): FleetMachine => {
    const uuid = machine.uuid.toLowerCase();
    const pool = machine.poolUuid?.toLowerCase() ?? '';
    const iterations = backupTree.iterations.get(uuid) ?? [];
    const { latest, decisive } = decisiveIterations(iterations);
    const own = backupTree.configs.get(uuid) ?? null;
    const configs = { machine: own, pool: poolConfigs.get(pool) ?? null, cloud };
    let resolved: EffectiveConfig | undefined;
    if (isEmptyMachineEntry(own)) {
      resolved = byPool.get(pool) ?? resolveEffectiveConfig({ ...configs, machine: null });
      byPool.set(pool, resolved);
    }
    const full = details.get(uuid);
    const { effective, classification, facts: planFacts } = assessMachine({
      machine,
      configs,
      iterations: full ?? decisive,
      steps: full ? stepHistory(full) : {},
      now,
      facts,
      objectives,
      timeZone: consoleTimeZone,
      resolved,
    });
    // Every field spelled out, not spread: V8 then builds all 5,000 objects from one literal
    // shape with their fields in the object. With `...machine` they grew field by field into an
    // out-of-object store, which took a third of the fleet read's own time and slowed every
    // later pass over the fleet (counts, filters, sorting).
    return {
      dn: machine.dn,
      uuid: machine.uuid,
      name: machine.name,
      poolUuid: machine.poolUuid,
      node: machine.node,
      type: machine.type,
      subType: machine.subType,
      runState: machine.runState,
      createdAt: machine.createdAt,
      poolName: poolNames.get(pool) ?? null,
      status: classification.status,
      protection: classification.protection,
      protectionReason: classification.protectionReason,
      activity: classification.activity,
      reason: classification.reason,
      lastGood: classification.lastGood,
      latest,
      iterationCount: iterations.length,
      configLevel: effective.level,
      excluded: effective.excluded,
      backupCandidate: classification.protection !== 'excluded' || isBackupCandidate(machine),
      objective: classification.objective,
      history: machineHistory({ nights, index, iterations, facts: planFacts, nowMinute, effective, classification, createdAt: machine.createdAt }),
    };
  });
  return { machines: fleet, pools, problems, readAt: now, objectives, nights };
}
