import type { CronPlan } from '../cron/cron-plan';
import { isValidTimeZone } from '../cron/time-zone';

/**
 * A node's cron tables, read for the line that starts the stoney wrapper (daemons.md: on
 * stoney cloud the node's crontab, not sstCron*, decides when machines are backed up).
 */

export type CrontabLine = {
  /** Where it was read: 'crontab -l', '/etc/crontab', '/etc/cron.d/…'. */
  source: string;
  line: string;
  /** The schedule, or null for @reboot (runs once at boot). */
  plan: CronPlan | null;
  /** System tables name the user that runs the command. */
  user: string | null;
  command: string;
};

const SPECIAL: Readonly<Record<string, [string, string, string, string, string] | null>> = {
  '@yearly': ['0', '0', '1', '1', '*'],
  '@annually': ['0', '0', '1', '1', '*'],
  '@monthly': ['0', '0', '1', '*', '*'],
  '@weekly': ['0', '0', '*', '*', '0'],
  '@daily': ['0', '0', '*', '*', '*'],
  '@midnight': ['0', '0', '*', '*', '*'],
  '@hourly': ['0', '*', '*', '*', '*'],
  '@reboot': null,
};

const WRAPPER = /LDAPKVMWrapper/;

/** Every schedule line of one cron table; comments, blank lines and variable settings are skipped. */
export function parseCronTable(source: string, text: string): CrontabLine[] {
  // /etc/crontab and /etc/cron.d/* carry a user column; a user's own crontab does not.
  const system = source !== 'crontab -l';
  const out: CrontabLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) continue;
    const words = line.split(/\s+/);
    let fields: string[] | null;
    let rest: string[];
    if (words[0].startsWith('@')) {
      if (!(words[0] in SPECIAL)) continue;
      fields = SPECIAL[words[0]];
      rest = words.slice(1);
    } else {
      if (words.length < (system ? 7 : 6)) continue;
      fields = words.slice(0, 5);
      rest = words.slice(5);
    }
    const user = system ? (rest[0] ?? null) : null;
    const command = (system ? rest.slice(1) : rest).join(' ');
    const plan = fields
      ? { minute: fields[0], hour: fields[1], day: fields[2], month: fields[3], dayOfWeek: fields[4], active: true }
      : null;
    out.push({ source, line, plan, user, command });
  }
  return out;
}

/** The lines that run LDAPKVMWrapper.pl, from all tables read. */
export function wrapperLines(tables: { source: string; text: string }[]): CrontabLine[] {
  return tables.flatMap((t) => parseCronTable(t.source, t.text)).filter((l) => WRAPPER.test(l.command));
}

/** An IANA zone name from what a node reported (a name, or a path such as /usr/share/zoneinfo/Europe/Zurich). */
export function zoneFromNode(raw: string): string | null {
  const text = raw.trim();
  const below = text.includes('zoneinfo/') ? text.slice(text.lastIndexOf('zoneinfo/') + 'zoneinfo/'.length) : text;
  const name = below.replace(/^posix\/|^right\//, '');
  return name !== '' && isValidTimeZone(name) ? name : null;
}
