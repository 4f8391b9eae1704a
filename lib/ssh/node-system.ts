import 'server-only';
import { runChecked } from './run';

/**
 * What a node says about its own clock and cron, in one command: the system time zone (from
 * timedatectl, /etc/timezone or the /etc/localtime link, whichever answers first) and the cron
 * tables that can start the stoney wrapper (the login user's crontab, /etc/crontab and
 * /etc/cron.d/*). The script is constant; nothing from the directory or the user is in it.
 */
const SYSTEM_SCRIPT = String.raw`export LC_ALL=C
z=''; v=none
if command -v timedatectl >/dev/null 2>&1; then z=$(timedatectl show -p Timezone --value 2>/dev/null); [ -n "$z" ] && v=timedatectl; fi
if [ -z "$z" ] && [ -s /etc/timezone ]; then z=$(head -n 1 /etc/timezone); v=/etc/timezone; fi
if [ -z "$z" ] && [ -L /etc/localtime ]; then z=$(readlink -f /etc/localtime); v=/etc/localtime; fi
printf 'timezone\0%s %s\0' "$v" "$z"
printf 'crontab -l\0'; crontab -l 2>/dev/null; printf '\0'
for f in /etc/crontab /etc/cron.d/*; do
  [ -f "$f" ] || continue
  printf '%s\0' "$f"; cat -- "$f" 2>/dev/null; printf '\0'
done`;

export interface NodeSystem {
  /** The zone name as the node gives it (an IANA name, or a path below zoneinfo), and where it was found. */
  timeZone: { raw: string; via: string } | null;
  /** Each cron table read: where from, and its text. */
  cronTables: { source: string; text: string }[];
}

export async function readNodeSystem(node: string): Promise<NodeSystem> {
  const { stdout } = await runChecked(node, ['sh', '-c', SYSTEM_SCRIPT], 'Reading the time zone and cron tables');
  const parts = stdout.split('\0');
  let timeZone: NodeSystem['timeZone'] = null;
  const cronTables: NodeSystem['cronTables'] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const name = parts[i];
    const body = parts[i + 1];
    if (name === 'timezone') {
      const space = body.indexOf(' ');
      const via = body.slice(0, space);
      const raw = body.slice(space + 1).trim();
      timeZone = via !== 'none' && raw !== '' ? { raw, via } : null;
    } else {
      cronTables.push({ source: name, text: body });
    }
  }
  return { timeZone, cronTables };
}
