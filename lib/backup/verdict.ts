import { isBackupCandidate } from './clones';
import type { EffectiveConfig } from './config';
import type { InstallationKind } from './installation';
import { iterationHealth, parseIterationName } from './iteration';
import { describeReturnCode } from './return-codes';

/**
 * Whether the installation's scheduler will go on backing a machine up, and why, in the words
 * of the program that decides (daemons.md: fc-brokerd on FOSS-Cloud, facts 3-5 and 8; the
 * stoney wrapper, facts 4 and 7). Pages show this; the tests check it against the stand-ins.
 */

/** An iteration leaf as the schedulers see it. */
export type LeafFacts = { name: string; mode: string; state: string; returnValue: number | null; hasChildren?: boolean };

export type BackupVerdict = {
  backedUp: boolean;
  /** stoney cloud: the wrapper skips the machine every night until someone acts. */
  blocked: boolean;
  /** Excluded on purpose (not a problem). */
  excluded: boolean;
  reason: string;
};


export type BrokerScheduleFacts = {
  refusal: string | null;
  next: Date | null;
  /** Dates on which its computation fails (the whole cycle ends then). */
  failures: number;
};

export type WrapperScheduleFacts =
  /** The node's crontab was read: how many lines run the wrapper. */
  | { read: true; lines: number; node: string }
  | { read: false };

export type VerdictInput = {
  kind: InstallationKind;
  effective: EffectiveConfig;
  machine: { type: string | null; subType: string | null; node: string | null };
  /** Whether the machine has an ou=backup at all. */
  hasBackupEntry: boolean;
  leaves: LeafFacts[];
  now: Date;
  broker?: BrokerScheduleFacts;
  wrapper?: WrapperScheduleFacts;
};

/** A backup that started less than a day ago may still be running; after that, the next night's run has met it. */
const RUNNING_GRACE_MS = 24 * 3_600_000;

const yes = (reason: string): BackupVerdict => ({ backedUp: true, blocked: false, excluded: false, reason });
const no = (reason: string, more: Partial<BackupVerdict> = {}): BackupVerdict => ({ backedUp: false, blocked: false, excluded: false, reason, ...more });

function brokerVerdict(input: VerdictInput): BackupVerdict {
  const broker = input.effective.broker;
  if (!isBackupCandidate(input.machine, 'foss-cloud')) {
    return no('fc-brokerd never backs up an ordinary dynamic clone: it is rebuilt from its golden image.', { excluded: true });
  }
  if (!broker || broker.level === 'none') return no(`${broker?.reason ?? 'fc-brokerd finds no configuration.'}`);
  if (broker.excluded) return no(input.effective.exclusionReason, { excluded: true });
  const active = [...input.leaves].sort((a, b) => (a.name < b.name ? 1 : -1)).find((l) => l.mode !== 'finished');
  if (active) {
    const health = iterationHealth(active);
    if (health === 'failed') {
      const code = describeReturnCode(active.returnValue ?? 0);
      return no(`Iteration ${active.name} stopped in mode ${active.mode} with code ${code.code}; fc-brokerd advances only a step that returned 0, so it starts no new backup until someone deals with it.`);
    }
    if (health === 'pending') return no(`Iteration ${active.name} is stuck in mode ${active.mode}; nothing advances it, and fc-brokerd starts no new backup meanwhile.`);
    return yes(`Iteration ${active.name} is in progress (${active.mode}); fc-brokerd carries it on.`);
  }
  if (input.leaves.length > broker.iterations) {
    return no(
      `The machine has ${input.leaves.length} iteration leaves and keeps ${broker.iterations}: fc-brokerd starts a backup only while there are at most as many leaves as it keeps, and removes old ones only after a run, so it never backs this machine up again until leaves are removed or the count is raised.`,
    );
  }
  const schedule = input.broker;
  if (schedule?.refusal) return no(schedule.refusal);
  if (schedule && !schedule.next) {
    return no(schedule.failures > 0 ? "fc-brokerd's date arithmetic fails for this plan, so it never starts it." : 'fc-brokerd would never start this plan in the coming years.');
  }
  const next = schedule?.next ? ` The next run starts at ${schedule.next.toISOString().slice(0, 16).replace('T', ' ')} UTC.` : '';
  const failing = schedule && schedule.failures > 0 ? ` On ${schedule.failures} days of the coming years its date arithmetic fails and no machine's backup starts.` : '';
  return yes(`fc-brokerd backs it up by its plan.${next}${failing}`);
}

/** Why the stoney wrapper would skip a machine with this one ou=backup, or null when it backs it up (fact 7). */
export function wrapperSkipReason(input: { excluded: boolean; leaves: LeafFacts[]; now: Date }): { reason: string; blocked: boolean; running: boolean } | null {
  if (input.excluded) return { reason: "The stoney wrapper skips it: sstBackupExcludeFromBackup is TRUE on the machine's own ou=backup.", blocked: false, running: false };
  if (input.leaves.length === 0) {
    return { reason: 'The machine has an ou=backup without an iteration leaf; the stoney wrapper skips such a machine with a warning every night.', blocked: true, running: false };
  }
  if (input.leaves.length > 1) {
    return { reason: `The machine has ${input.leaves.length} iteration leaves; the stoney wrapper expects exactly one and skips it with a warning every night.`, blocked: true, running: false };
  }
  const leaf = input.leaves[0];
  if (leaf.mode !== 'finished' || (leaf.returnValue ?? 0) !== 0) {
    const started = parseIterationName(leaf.name);
    const young = started !== null && input.now.getTime() - started.getTime() < RUNNING_GRACE_MS;
    if (leaf.mode !== 'finished' && iterationHealth(leaf) === 'running' && young) {
      return { reason: `Iteration ${leaf.name} is in progress (${leaf.mode}); if it is not finished by the next run, the stoney wrapper skips the machine.`, blocked: false, running: true };
    }
    const code = leaf.returnValue ? ` with code ${leaf.returnValue}` : '';
    return {
      reason: `Its one leaf ${leaf.name} is in mode ${leaf.mode}${code}, not a finished, successful backup: the stoney wrapper skips the machine ("last backup not successful") every night until someone deals with it.`,
      blocked: true,
      running: false,
    };
  }
  if (leaf.hasChildren) {
    return {
      reason: `Its one leaf ${leaf.name} has entries below it; the stoney wrapper replaces the leaf with a plain delete, which the directory refuses for an entry with children, so it skips the machine every night.`,
      blocked: true,
      running: false,
    };
  }
  return null;
}

function wrapperVerdict(input: VerdictInput): BackupVerdict {
  const node = input.machine.node;
  if (input.wrapper?.read && input.wrapper.lines === 0) {
    return no(`No crontab line on node ${input.wrapper.node} runs LDAPKVMWrapper.pl, so nothing backs up the machines there.`);
  }
  if (!node) return no('The machine names no node (sstNode); the stoney wrapper of a node looks only for its own machines.');
  if (!input.hasBackupEntry) {
    if (input.effective.excluded) return no(input.effective.exclusionReason, { excluded: true });
    return yes('The machine has no ou=backup yet; the stoney wrapper creates one with a leaf and backs the machine up at its next run.');
  }
  const skip = wrapperSkipReason({ excluded: input.effective.excluded, leaves: input.leaves, now: input.now });
  if (!skip) return yes(`The stoney wrapper on ${node} replaces the leaf and backs the machine up at its next run.`);
  if (skip.running) return yes(skip.reason);
  return no(skip.reason, { blocked: skip.blocked, excluded: input.effective.excluded });
}

export function backupVerdict(input: VerdictInput): BackupVerdict {
  return input.kind === 'stoney-cloud' ? wrapperVerdict(input) : brokerVerdict(input);
}
