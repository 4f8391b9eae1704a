/**
 * What a test node says about its clock and cron (scripts/node/bin/crontab and timedatectl
 * read these files): a stoney cloud node has a crontab line that starts LDAPKVMWrapper.pl and a
 * system time zone; a FOSS-Cloud node has neither line.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The wrapper's crontab line as a stoney cloud node has it (crontab -l of root). */
export const STONEY_WRAPPER_CRONTAB = [
  '# m h dom mon dow command',
  '# stoney cloud: back up the machines of this node every night',
  '30 2 * * * /usr/bin/perl /usr/libexec/prov-backup-kvm/LDAPKVMWrapper.pl -c /etc/Provisioning/Backup/LDAPKVMWrapper.conf',
  '',
].join('\n');

/** The test node's crontab (null: none, as `crontab -l` of a user without one). */
export async function setNodeCrontab(systemDir: string, text: string | null): Promise<void> {
  const path = join(systemDir, 'crontab');
  if (text === null) await rm(path, { force: true });
  else await writeFile(path, text);
}

/** The test node's system time zone (null: the node does not tell). */
export async function setNodeTimeZone(systemDir: string, zone: string | null): Promise<void> {
  const path = join(systemDir, 'timezone');
  if (zone === null) await rm(path, { force: true });
  else await writeFile(path, `${zone}\n`);
}
