import type { BackupLevel, EffectiveConfig } from './config';

/**
 * Which program reads which level for a machine, as one row each, for the pages: no program
 * merges levels, and the programs of one installation do not agree on which level counts
 * (daemons.md, facts 3 and 4).
 */
export type ProgramRow = {
  program: string;
  /** What it takes from the directory. */
  reads: string;
  level: BackupLevel | 'none' | 'node';
  reason: string;
};

export const LEVEL_WORDS: Readonly<Record<ProgramRow['level'], string>> = {
  machine: "the machine's own ou=backup",
  pool: "the pool's ou=backup",
  cloud: 'the cloud-wide configuration',
  none: 'nothing',
  node: "the node's crontab",
};

/** Whose configuration a page shows: one machine's, or what a pool's or the cloud's machines follow. */
export type ConfigSubject = BackupLevel;

type Reasons = Readonly<Record<BackupLevel | 'none', string>>;

// resolveEffectiveConfig explains the choice for one machine; on a pool's or the cloud's page the
// subject is the machines that follow that level, and the sentences say so.
const NODE_DAEMON_REASONS: Readonly<Record<Exclude<ConfigSubject, 'machine'>, Reasons>> = {
  pool: {
    machine: '',
    pool: "The pool's ou=backup carries the backup configuration class, so it applies as a whole to every machine of the pool without a configuration of its own.",
    cloud: 'The pool has no backup configuration of its own, so the cloud-wide configuration applies as a whole to its machines.',
    none: "No entry carries the backup configuration class, so the node daemon has no configuration for the pool's machines.",
  },
  cloud: {
    machine: '',
    pool: '',
    cloud:
      'The cloud-wide ou=backup carries the backup configuration class; it applies as a whole to every machine whose pool and own ou=backup have none.',
    none: 'The cloud-wide ou=backup does not carry the backup configuration class, so the node daemon has no configuration for the machines that would follow it.',
  },
};

const BROKER_REASONS: Readonly<Record<Exclude<ConfigSubject, 'machine'>, Reasons>> = {
  pool: {
    machine: '',
    pool: "fc-brokerd takes the pool's ou=backup for the pool's machines without their own: it holds an iteration count, an exclude flag or a cron field.",
    cloud:
      "fc-brokerd takes the cloud-wide entry for the pool's machines without their own: the pool's ou=backup holds no iteration count, exclude flag or cron field.",
    none: "fc-brokerd finds no iteration count, exclude flag or cron field for the pool's machines, so it never backs them up.",
  },
  cloud: {
    machine: '',
    pool: '',
    cloud:
      'fc-brokerd takes the cloud-wide entry for every machine whose pool and own ou=backup hold no iteration count, exclude flag or cron field.',
    none: 'The cloud-wide entry holds no iteration count, exclude flag or cron field, so fc-brokerd never backs up a machine that would follow it.',
  },
};

/** Why the node daemon takes the level it takes, in the words of the page's subject. */
export function nodeDaemonReason(effective: EffectiveConfig, subject: ConfigSubject): string {
  return (subject === 'machine' ? '' : NODE_DAEMON_REASONS[subject][effective.level]) || effective.reason;
}

function brokerReason(effective: EffectiveConfig, subject: ConfigSubject): string {
  const broker = effective.broker;
  if (!broker) return '';
  return (subject === 'machine' ? '' : BROKER_REASONS[subject][broker.level]) || broker.reason;
}

export function programRows(effective: EffectiveConfig, node: string | null, subject: ConfigSubject = 'machine'): ProgramRow[] {
  if (effective.kind === 'stoney-cloud') {
    return [
      {
        program: `cron on ${node ?? 'the node'}`,
        reads: 'when the backups run',
        level: 'node',
        reason: 'On stoney cloud a crontab line on each node starts LDAPKVMWrapper.pl; the sstCron* fields are read by nothing.',
      },
      {
        program: 'LDAPKVMWrapper.pl (the stoney wrapper)',
        reads: 'the exclude flag, and the one iteration leaf it replaces',
        level: 'machine',
        reason: effective.exclusionReason,
      },
      {
        program: 'prov-backup-kvm (run by the wrapper)',
        reads: 'directories, image format and ownership, iterations kept on the node',
        level: effective.level,
        reason: nodeDaemonReason(effective, subject),
      },
    ];
  }
  const broker = effective.broker;
  return [
    {
      program: 'fc-brokerd (the FOSS-Cloud broker)',
      reads: 'the schedule, the iteration count and the exclude flag',
      level: broker?.level ?? 'none',
      reason: `${brokerReason(effective, subject)} ${effective.exclusionReason}`.trim(),
    },
    {
      program: 'prov-backup-kvm (the node daemon)',
      reads: 'directories, image format and ownership, restore flags',
      level: effective.level,
      reason: nodeDaemonReason(effective, subject),
    },
  ];
}
