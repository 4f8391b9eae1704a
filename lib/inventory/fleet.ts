import 'server-only';
import { requireAccess } from '@/lib/auth/access';
import { can, canEverywhere, type Grants } from '@/lib/auth/capabilities';
import { env } from '@/lib/env';
import { isBackupCandidate } from '@/lib/backup/clones';
import { resolveEffectiveConfig, type BackupConfigEntry, type EffectiveConfig } from '@/lib/backup/config';
import { historyNights, nightCells, nightIndex, type Night, type PlannedNights } from '@/lib/backup/history';
import type { InstallationKind } from '@/lib/backup/installation';
import { nodeFacts, nodeTimeZone, readInstallation, type InstallationView } from '@/lib/backup/installation-reader';
import { iterationHealth } from '@/lib/backup/iteration';
import { recoveryPointObjective, type ObjectiveSettings } from '@/lib/backup/objective';
import {
  brokerPlannedNights,
  brokerScheduleFacts,
  wrapperPlannedNights,
  wrapperScheduleFacts,
  type ScheduleFacts,
} from '@/lib/backup/schedule';
import { classifyMachine, stepSince, type ClassifiableIteration, type Classification } from '@/lib/backup/status';
import { STEP_FLOOR_MS, stepHistory, stepOf, type StepHistory } from '@/lib/backup/step-limits';
import { backupVerdict, type BackupVerdict } from '@/lib/backup/verdict';
import { cronPlanOf, type CronPlan } from '@/lib/cron';
import type { EntryProblem } from '@/lib/ldap/entry';
import {
  readCloudBackupConfig,
  readIterations,
  searchBackupTree,
  searchPoolBackupConfigs,
  type Iteration,
  type IterationSummary,
} from '@/lib/ldap/backup';
import { searchMachineSummaries, type MachineSummary } from '@/lib/ldap/machines';
import { searchPools, type Pool } from '@/lib/ldap/pools';
import { cachedFleet } from './cache';
import { readObjectivesOrDefaults } from './objectives';

export { isBackupCandidate };

/**
 * A machine's classification as the fleet and the machine page carry it: all of it but the
 * newest iteration's name (the fleet row carries that iteration itself).
 */
export type MachineClassification = Omit<Classification, 'latest'>;

export interface FleetMachine extends MachineSummary, MachineClassification {
  poolName: string | null;
  latest: IterationSummary | null;
  iterationCount: number;
  configLevel: EffectiveConfig['level'];
  excluded: boolean;
  /** Whether the installation's scheduler backs it up at all (false: a dynamic clone on FOSS-Cloud). */
  backupCandidate: boolean;
  /** Whether the installation's scheduler goes on backing it up (lib/backup/verdict.ts). */
  backedUp: boolean;
  /** One code per night of `Fleet.nights` (lib/backup/history). */
  history: string;
}

export interface Fleet {
  kind: InstallationKind;
  machines: FleetMachine[];
  pools: Pool[];
  problems: EntryProblem[];
  readAt: Date;
  objectives: ObjectiveSettings;
  /** The nights of every machine's `history`, oldest first. */
  nights: Night[];
}

/** The plan fc-brokerd reads (FOSS-Cloud); fields it lacks stay empty so the warnings can name them. */
export function effectivePlan(effective: EffectiveConfig): CronPlan {
  if (effective.broker) return effective.broker.plan;
  return cronPlanOf(effective.entry?.values.cron ?? {});
}

/**
 * The nights of the history grid: dates in the zone the installation's scheduler names its
 * iterations in (fc-brokerd: its local time, NODE_TIME_ZONE; the stoney wrapper: UTC).
 */
export function fleetNights(installation: Pick<InstallationView, 'kind' | 'configuredTimeZone'>, now: Date): Night[] {
  return historyNights(now, installation.kind === 'stoney-cloud' ? 'UTC' : installation.configuredTimeZone);
}

/** How often the scheduler runs a machine's backups and which of the grid's nights it planned. */
export type PlanFacts = ScheduleFacts & { planned: PlannedNights };

/**
 * Plan facts outlive one read: a cloud has a plan per machine with its own schedule, and
 * working out a period walks the calendar (about 50 ms per read for 150 plans). They are
 * recomputed each hour, which is plenty for a period that only daylight-saving changes move.
 * The same reader gives the period the stale check uses and the nights the grid calls planned:
 * fc-brokerd's reading of sstCron* on FOSS-Cloud, the node's crontab on stoney cloud.
 */
const planFactsMemo = new Map<string, PlanFacts>();

function remember(key: string, make: () => PlanFacts): PlanFacts {
  let facts = planFactsMemo.get(key);
  if (!facts) {
    facts = make();
    if (planFactsMemo.size >= 5000) planFactsMemo.clear();
    planFactsMemo.set(key, facts);
  }
  return facts;
}

export function planFactsCache(installation: InstallationView, now: Date, nights: readonly Night[] = fleetNights(installation, now)) {
  const hour = Math.floor(now.getTime() / 3_600_000);
  const today = nights[nights.length - 1]?.date ?? '';
  if (installation.kind === 'stoney-cloud') {
    // The node's crontab decides, whatever the machine's configuration says: one answer per node.
    const byNode = new Map<string, PlanFacts>();
    return (_effective: EffectiveConfig, node: string | null): PlanFacts => {
      const nodeKey = node?.toLowerCase() ?? '';
      let facts = byNode.get(nodeKey);
      if (!facts) {
        const told = nodeFacts(installation, node);
        const lines = told?.read ? told.wrapperLines : null;
        const zone = nodeTimeZone(installation, node).zone;
        facts = remember(`stoney ${zone} ${hour} ${today} ${nodeKey} ${JSON.stringify(lines)}`, () => ({
          ...wrapperScheduleFacts(lines, node, zone, now),
          planned: wrapperPlannedNights(lines, nights, zone),
        }));
        byNode.set(nodeKey, facts);
      }
      return facts;
    };
  }
  const zone = installation.configuredTimeZone;
  // Machines that follow their pool share one resolved configuration object per read: their
  // plan's facts are looked up once for all of them, not once per machine.
  const byConfig = new WeakMap<EffectiveConfig, PlanFacts>();
  return (effective: EffectiveConfig): PlanFacts => {
    let facts = byConfig.get(effective);
    if (!facts) {
      const plan = effectivePlan(effective);
      facts = remember(`foss ${zone} ${hour} ${today} ${JSON.stringify(plan)}`, () => {
        const schedule = brokerScheduleFacts(plan, zone, now);
        return { ...schedule, planned: brokerPlannedNights(plan, schedule, nights, zone) };
      });
      byConfig.set(effective, facts);
    }
    return facts;
  };
}

export interface AssessInput {
  machine: MachineSummary;
  configs: { machine: BackupConfigEntry | null; pool: BackupConfigEntry | null; cloud: BackupConfigEntry | null };
  /** What classification looks at: all iterations, or at least the decisive ones (decisiveIterations). */
  iterations: ClassifiableIteration[];
  steps: StepHistory;
  now: Date;
  facts: (effective: EffectiveConfig, node: string | null) => PlanFacts;
  objectives: ObjectiveSettings;
  /** For dates in the sentences. */
  timeZone: string;
  installation: InstallationView;
  /** Whether the machine has an ou=backup at all (stoney cloud: a leafless one stops the wrapper). */
  hasBackupEntry: boolean;
  /** Every iteration leaf of the machine (the verdict counts them). */
  leaves: IterationSummary[];
  resolved?: EffectiveConfig;
  /** stoney cloud, where known (the machine page): leaves holding the restore of an iteration only on the node. */
  heldRestores?: Readonly<Record<string, string>>;
}

export interface Assessment {
  effective: EffectiveConfig;
  classification: Classification;
  verdict: BackupVerdict;
  facts: PlanFacts;
  /** The period classification used; null when the scheduler never starts a backup. */
  periodMs: number | null;
}

/**
 * Classifies one machine under the rules of the installation's kind; every page that shows a
 * machine's status goes through here. Plans are shared by thousands of machines, so their
 * period, warnings and planned nights come once per distinct plan (or node) through `facts`.
 */
export function assessMachine(input: AssessInput): Assessment {
  const kind = input.installation.kind;
  const effective = input.resolved ?? resolveEffectiveConfig(input.configs, kind);
  const facts = input.facts(effective, input.machine.node);
  const verdict = backupVerdict({
    kind,
    effective,
    machine: input.machine,
    hasBackupEntry: input.hasBackupEntry,
    leaves: input.leaves,
    now: input.now,
    broker: { refusal: facts.warnings[0] ?? null, next: facts.next, failures: facts.failures },
    wrapper: wrapperFacts(input.installation, input.machine.node),
  });
  // What the scheduler will not do (fc-brokerd holding back for good, fact 5) counts like a plan that never runs.
  const stopsForGood =
    kind === 'foss-cloud' &&
    !verdict.backedUp &&
    !verdict.excluded &&
    input.leaves.length > (effective.broker?.iterations ?? 0) &&
    input.leaves.every((l) => l.mode === 'finished');
  const periodMs = effective.level === 'none' || stopsForGood ? null : facts.periodMs;
  const classification = classifyMachine({
    iterations: input.iterations,
    excluded: effective.excluded,
    backupCandidate: isBackupCandidate(input.machine, kind),
    periodMs,
    planWarnings:
      effective.level === 'none' ? ['No backup configuration applies to this machine.'] : stopsForGood ? [verdict.reason] : facts.warnings,
    objective: recoveryPointObjective(input.objectives, input.machine.poolUuid, periodMs),
    steps: input.steps,
    now: input.now,
    timeZone: input.timeZone,
    kind,
    blocked: verdict.blocked ? verdict.reason : null,
    heldRestores: input.heldRestores,
  });
  return { effective, classification, verdict, facts, periodMs };
}

function wrapperFacts(installation: InstallationView, node: string | null) {
  const facts = nodeFacts(installation, node);
  return facts?.read ? { read: true as const, lines: facts.wrapperLines.length, node: facts.node } : { read: false as const };
}

const NEVER_PLANNED: PlannedNights = { nights: 'never', firstRunTodayAt: null };

/** The history cells of one machine, from all its iterations and its assessment. */
export function machineHistory(input: {
  nights: readonly Night[];
  index: ReadonlyMap<number, number>;
  iterations: readonly IterationSummary[];
  assessment: Pick<Assessment, 'facts' | 'classification' | 'periodMs'>;
  now: number;
  createdAt: string | null;
}): string {
  const { classification, facts, periodMs } = input.assessment;
  const activity = classification.activity;
  return nightCells({
    nights: input.nights,
    index: input.index,
    iterations: input.iterations,
    planned: periodMs === null ? NEVER_PLANNED : facts.planned,
    now: input.now,
    excluded: classification.protection === 'excluded',
    createdAt: input.createdAt,
    stuck: activity?.kind === 'stuck' ? activity.iteration : null,
  });
}

/** The fleet for a page: what the signed-in person may see of it, from a read reused for a few seconds (see cache.ts). */
export async function loadFleet(): Promise<Fleet> {
  const access = await requireAccess('view');
  return fleetFor(await loadFleetUnchecked(), access.grants);
}

/**
 * The same shared, cached read without a session, all of it: only for callers that
 * authenticate the request themselves (the metrics endpoint checks its bearer token).
 */
export function loadFleetUnchecked(): Promise<Fleet> {
  const { ldap, cacheSeconds } = env();
  return cachedFleet(`${ldap.url} ${ldap.baseDn} ${ldap.bindDn}`, cacheSeconds * 1000, readFleet);
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
  const installation = await readInstallation();
  const stoney = installation.kind === 'stoney-cloud';
  const [machines, backupTree, pools, poolConfigs, cloud, objectives] = await Promise.all([
    searchMachineSummaries(problems),
    // On stoney cloud a plain ou=backup without a leaf, and entries below a leaf, stop the wrapper.
    searchBackupTree(problems, stoney ? { everyBackupEntry: true, leafChildren: true } : {}),
    searchPools(problems),
    searchPoolBackupConfigs(),
    readCloudBackupConfig(),
    readObjectivesOrDefaults(problems),
  ]);
  const now = new Date();
  const { consoleTimeZone } = env();
  const nights = fleetNights(installation, now);
  const index = nightIndex(nights);
  const poolNames = new Map(pools.map((p) => [p.uuid.toLowerCase(), p.name]));
  const facts = planFactsCache(installation, now, nights);
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
      resolved = byPool.get(pool) ?? resolveEffectiveConfig({ ...configs, machine: null }, installation.kind);
      byPool.set(pool, resolved);
    }
    const full = details.get(uuid);
    const hasBackupEntry = stoney ? backupTree.withBackupEntry.has(uuid) : iterations.length > 0 || own !== null;
    const assessment = assessMachine({
      machine,
      configs,
      iterations: full ?? decisive,
      steps: full ? stepHistory(full) : {},
      now,
      facts,
      objectives,
      timeZone: consoleTimeZone,
      installation,
      hasBackupEntry,
      leaves: iterations,
      resolved,
    });
    const { effective, classification, verdict } = assessment;
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
      blocked: classification.blocked,
      reason: classification.reason,
      lastGood: classification.lastGood,
      latest,
      iterationCount: iterations.length,
      configLevel: effective.level,
      excluded: effective.excluded,
      backupCandidate: isBackupCandidate(machine, installation.kind),
      backedUp: verdict.backedUp,
      objective: classification.objective,
      history: machineHistory({ nights, index, iterations, assessment, now: now.getTime(), createdAt: machine.createdAt }),
    };
  });
  return { kind: installation.kind, machines: fleet, pools, problems, readAt: now, objectives, nights };
}
