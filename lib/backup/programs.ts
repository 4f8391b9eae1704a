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

export function programRows(effective: EffectiveConfig, node: string | null): ProgramRow[] {
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
        reason: effective.reason,
      },
    ];
  }
  const broker = effective.broker;
  return [
    {
      program: 'fc-brokerd (the FOSS-Cloud broker)',
      reads: 'the schedule, the iteration count and the exclude flag',
      level: broker?.level ?? 'none',
      reason: `${broker?.reason ?? ''} ${effective.exclusionReason}`.trim(),
    },
    {
      program: 'prov-backup-kvm (the node daemon)',
      reads: 'directories, image format and ownership, restore flags',
      level: effective.level,
      reason: effective.reason,
    },
  ];
}
