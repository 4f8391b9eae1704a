/**
 * The kind of installation the console serves (shared/spec/daemons.md, "Two kinds of
 * installation"). The same directory is read by different programs in each kind, so what a
 * page says about schedule, exclusion, retention and health depends on it:
 *
 * - FOSS-Cloud: fc-brokerd schedules every machine centrally from sstCron* of the level it
 *   picks and keeps several iteration leaves; prov-backup-kvm (the node daemon) executes.
 * - stoney cloud: a crontab line on each node runs LDAPKVMWrapper.pl; sstCron* is read by
 *   nothing; the directory holds one leaf per machine and older iterations live only as
 *   folders on the node.
 *
 * An administrator tells the console which (INSTALLATION_KIND); without that, the console
 * weighs what the directory and the nodes show. Pure: the reader is installation-reader.ts.
 */

export type InstallationKind = 'foss-cloud' | 'stoney-cloud';

export const KIND_LABEL: Readonly<Record<InstallationKind, string>> = {
  'foss-cloud': 'FOSS-Cloud',
  'stoney-cloud': 'stoney cloud',
};

/** What INSTALLATION_KIND says: a kind, or `detect` (the default). */
export type InstallationSetting = InstallationKind | 'detect';

/**
 * One observation pointing at a kind. `strong` evidence is something only one kind's programs
 * produce; a `hint` is merely typical (a schema flavour, say) and only decides when nothing
 * strong is there.
 */
export type KindEvidence = {
  kind: InstallationKind;
  strength: 'strong' | 'hint';
  /** Where it was seen: 'directory' or a node name. */
  source: string;
  /** One sentence, e.g. "Machine web-01 has 3 iteration leaves; the stoney wrapper keeps exactly one." */
  text: string;
};

export type InstallationDecision = {
  kind: InstallationKind;
  /** How the kind was chosen. */
  by: 'setting' | 'evidence' | 'default';
  /** Why, in words, for the Configuration page. */
  reason: string;
  evidence: KindEvidence[];
  /** Sentences about evidence that contradicts the kind applied. */
  conflicts: string[];
};

/** Without any evidence the console assumes the kind it is named after, and says so. */
export const DEFAULT_KIND: InstallationKind = 'stoney-cloud';

const other = (kind: InstallationKind): InstallationKind => (kind === 'foss-cloud' ? 'stoney-cloud' : 'foss-cloud');

function strongest(evidence: KindEvidence[], strength: KindEvidence['strength']): InstallationKind[] {
  return [...new Set(evidence.filter((e) => e.strength === strength).map((e) => e.kind))];
}

function contradicting(kind: InstallationKind, evidence: KindEvidence[]): string[] {
  return evidence.filter((e) => e.kind === other(kind)).map((e) => `${e.text} That points to ${KIND_LABEL[e.kind]}.`);
}

/** The kind the console applies, and why. */
export function decideInstallationKind(setting: InstallationSetting, evidence: KindEvidence[]): InstallationDecision {
  if (setting !== 'detect') {
    return {
      kind: setting,
      by: 'setting',
      reason: `INSTALLATION_KIND is set to ${setting}, so the console applies the rules of ${KIND_LABEL[setting]}.`,
      evidence,
      conflicts: contradicting(setting, evidence),
    };
  }
  const strong = strongest(evidence, 'strong');
  if (strong.length === 1) {
    const kind = strong[0];
    return {
      kind,
      by: 'evidence',
      reason: `INSTALLATION_KIND is not set; what the directory and the nodes show is only possible on ${KIND_LABEL[kind]}.`,
      evidence,
      conflicts: contradicting(kind, evidence),
    };
  }
  if (strong.length > 1) {
    return {
      kind: DEFAULT_KIND,
      by: 'default',
      reason:
        `INSTALLATION_KIND is not set, and the directory and the nodes show signs of both kinds, so the console cannot tell. ` +
        `It applies the rules of ${KIND_LABEL[DEFAULT_KIND]} until INSTALLATION_KIND says which kind this is.`,
      evidence,
      conflicts: evidence.filter((e) => e.strength === 'strong').map((e) => `${e.text} That points to ${KIND_LABEL[e.kind]}.`),
    };
  }
  const hints = strongest(evidence, 'hint');
  if (hints.length === 1) {
    const kind = hints[0];
    return {
      kind,
      by: 'evidence',
      reason: `INSTALLATION_KIND is not set and nothing is conclusive; the directory looks like ${KIND_LABEL[kind]}, so the console applies its rules. Set INSTALLATION_KIND to be sure.`,
      evidence,
      conflicts: [],
    };
  }
  return {
    kind: DEFAULT_KIND,
    by: 'default',
    reason: `INSTALLATION_KIND is not set and neither the directory nor the nodes tell the kind, so the console applies the rules of ${KIND_LABEL[DEFAULT_KIND]}. Set INSTALLATION_KIND to be sure.`,
    evidence,
    conflicts: [],
  };
}

/** Who does what in each kind, in words, for the Configuration page and the README. */
export const KIND_RULES: Readonly<Record<InstallationKind, { schedule: string; exclusion: string; retention: string; health: string }>> = {
  'foss-cloud': {
    schedule:
      'fc-brokerd starts each backup from the sstCron* fields of the level it picks (the machine, its pool or the cloud-wide entry that carries any iteration count, exclude flag or cron field), reading each field its own way.',
    exclusion:
      "fc-brokerd reads the exclude flag only from the level it picks: a pool's flag excludes the pool's machines that have no configuration of their own; a machine with its own configuration is still backed up.",
    retention:
      'fc-brokerd starts a backup only while a machine has at most as many iteration leaves as it keeps, and removes one old leaf after each finished run.',
    health: "A failed iteration stays the machine's active one; fc-brokerd starts no new backup until someone deals with it.",
  },
  'stoney-cloud': {
    schedule: 'A crontab line on each node runs LDAPKVMWrapper.pl; the sstCron* fields are read by nothing.',
    exclusion:
      "The wrapper reads the exclude flag only from the machine's own ou=backup; a pool's flag stops nothing, so the console excludes a pool by setting each member's own flag.",
    retention:
      'The directory holds one leaf per machine (the last run); older iterations are folders on the node, pruned to the newest sstBackupNumberOfIterations after each run.',
    health:
      'The wrapper skips a machine every night while its one leaf is not a finished, successful backup, or has entries below it, or there are several leaves: such a machine is blocked.',
  },
};

/** Modes only fc-brokerd writes: the stoney wrapper never creates `initialized` leaves nor prunes leaves. */
const BROKER_MODES = new Set(['initialized', 'delete', 'deleting', 'deleted']);
const FOSS_ARC = '1.3.6.1.4.1.42378.';
const STONEY_ARC = '1.3.6.1.4.1.22621.';

/** What a sample of iteration leaves and the schema's numbering say. */
export function directoryEvidence(sample: { machine: string; name: string; mode: string }[], schemaArc: string | null): KindEvidence[] {
  const out: KindEvidence[] = [];
  const perMachine = new Map<string, number>();
  for (const leaf of sample) perMachine.set(leaf.machine, (perMachine.get(leaf.machine) ?? 0) + 1);
  const several = [...perMachine.entries()].filter(([, n]) => n > 1);
  if (several.length > 0) {
    const [machine, n] = several[0];
    const more = several.length > 1 ? ` (and ${several.length - 1} more machine${several.length === 2 ? '' : 's'} with several)` : '';
    out.push({
      kind: 'foss-cloud',
      strength: 'strong',
      source: 'directory',
      text: `Machine ${machine} has ${n} iteration leaves in the directory${more}; the stoney wrapper keeps exactly one per machine, fc-brokerd keeps several.`,
    });
  }
  const brokerMode = sample.find((l) => BROKER_MODES.has(l.mode));
  if (brokerMode) {
    out.push({
      kind: 'foss-cloud',
      strength: 'strong',
      source: 'directory',
      text: `Iteration ${brokerMode.name} of machine ${brokerMode.machine} is in mode ${brokerMode.mode}, which only fc-brokerd writes.`,
    });
  }
  const withSeconds = sample.find((l) => /T\d{4}(?!00)\d{2}Z$/.test(l.name));
  if (withSeconds) {
    out.push({
      kind: 'stoney-cloud',
      strength: 'hint',
      source: 'directory',
      text: `Iteration names carry seconds (e.g. ${withSeconds.name}), as the stoney wrapper writes them; fc-brokerd always writes 00.`,
    });
  }
  if (schemaArc?.startsWith(FOSS_ARC)) {
    out.push({
      kind: 'foss-cloud',
      strength: 'hint',
      source: 'directory',
      text: `The directory's sst schema is FOSS-Cloud's (numbered under ${FOSS_ARC.slice(0, -1)}).`,
    });
  } else if (schemaArc?.startsWith(STONEY_ARC)) {
    out.push({
      kind: 'stoney-cloud',
      strength: 'hint',
      source: 'directory',
      text: `The directory's sst schema is stepping stone's (numbered under ${STONEY_ARC.slice(0, -1)}), as stoney cloud installs it.`,
    });
  }
  return out;
}

/** A node whose cron tables start the stoney wrapper runs stoney cloud's backups. */
export function nodeEvidence(nodes: { node: string; wrapperLines: { source: string; line: string }[] }[]): KindEvidence[] {
  return nodes
    .filter((n) => n.wrapperLines.length > 0)
    .map((n) => ({
      kind: 'stoney-cloud' as const,
      strength: 'strong' as const,
      source: n.node,
      text: `Node ${n.node} starts LDAPKVMWrapper.pl from cron (${n.wrapperLines[0].source}: ${n.wrapperLines[0].line}).`,
    }));
}
