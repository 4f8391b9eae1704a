/**
 * Whether the node daemon (prov-backup-kvm) runs on a node, judged from what a probe over SSH
 * found there. Pure: the probe's script and its parsing live here, running it is lib/ssh's.
 *
 * How the daemon is installed (stepping-stone/Provisioning, FOSS-Cloud's ebuilds): the
 * framework's `provisioning.pl` runs as a Perl script, started by the OpenRC service
 * `/etc/init.d/prov-backup-kvm` as `provisioning.pl -c /etc/Provisioning/Backup/KVM.conf -g
 * /etc/Provisioning/Global.conf` with the pid file `/run/prov-kvm-backup.pid`. The module
 * configuration names the module (`SERVICE = Backup`, `TYPE = KVM` in `[Service]`) and the node
 * it serves (`ENVIRONMENT = <node fqdn>` in `[Global]`: it only executes commands for machines
 * whose sstNode is that name). While it runs it holds the lock file
 * `/var/run/Provisioning-<SERVICE>-<TYPE>.lock` with its PID in it; the stoney wrappers lock
 * `/var/run/Provisioning-Backup-KVM-Wrapper.lock` instead, so a nightly backup is not mistaken
 * for the daemon. Other provisioning modules run the same program with another configuration.
 */

export const DAEMON_PROGRAM = 'provisioning.pl';
export const DAEMON_CONFIG = '/etc/Provisioning/Backup/KVM.conf';
export const DAEMON_LOCK_FILE = '/var/run/Provisioning-Backup-KVM.lock';
export const DAEMON_PID_FILE = '/run/prov-kvm-backup.pid';
export const DAEMON_INIT_SCRIPT = '/etc/init.d/prov-backup-kvm';

/**
 * Runs on the node with `sh -c`; takes no arguments, so nothing from the directory reaches it.
 * The pattern `provisioning[.]pl` does not match its own text, so neither this shell nor grep
 * is found. Only the three keys it needs are read from a configuration (never the password).
 * One line per finding, tab-separated: process, config, unreadable, file, init.
 */
export const DAEMON_PROBE_SCRIPT = String.raw`export LC_ALL=C
for f in $(grep -l -a 'provisioning[.]pl' /proc/[0-9]*/cmdline 2>/dev/null); do
  pid=$(basename "$(dirname "$f")")
  [ "$pid" = "$$" ] && continue
  args=$(tr '\000\n\t' '   ' < "$f" 2>/dev/null) || continue
  [ -n "$args" ] || continue
  cfg=$(tr '\000' '\n' < "$f" 2>/dev/null | sed -n -e '/^-c$/{n;p;q;}' -e 's/^-c\(..*\)$/\1/p' | head -n 1)
  case $cfg in /*|'') ;; *) cfg="$(readlink "/proc/$pid/cwd")/$cfg" ;; esac
  printf 'process\t%s\t%s\t%s\n' "$pid" "$cfg" "$args"
  if [ -n "$cfg" ] && [ -r "$cfg" ]; then
    sed -n "s/^[[:space:]]*\(SERVICE\|TYPE\|ENVIRONMENT\)[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*$/config\t$pid\t\1\t\2/p" "$cfg"
  elif [ -n "$cfg" ]; then
    printf 'unreadable\t%s\t%s\n' "$pid" "$cfg"
  fi
done
for f in @LOCK_FILE@ @PID_FILE@; do
  [ -e "$f" ] || continue
  pid=$(head -c 64 "$f" 2>/dev/null | sed -n '1s/^[^0-9]*\([0-9][0-9]*\).*/\1/p')
  if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then s=alive; else s=dead; fi
  printf 'file\t%s\t%s\t%s\n' "$f" "$pid" "$s"
done
if [ -e @INIT_SCRIPT@ ]; then printf 'init\t%s\n' @INIT_SCRIPT@; fi
exit 0`
  .replaceAll('@LOCK_FILE@', DAEMON_LOCK_FILE)
  .replaceAll('@PID_FILE@', DAEMON_PID_FILE)
  .replaceAll('@INIT_SCRIPT@', DAEMON_INIT_SCRIPT);

export interface ProbedProcess {
  pid: number;
  /** The command line, arguments joined by spaces. */
  args: string;
  /** The -c configuration file, or null when the command line has none. */
  config: string | null;
  /** False when the file exists but the console's node user cannot read it. */
  configReadable: boolean;
  service: string | null;
  type: string | null;
  environment: string | null;
}

export interface NodeDaemonProbe {
  processes: ProbedProcess[];
  files: { path: string; pid: number | null; alive: boolean }[];
  initScript: string | null;
}

export function parseDaemonProbe(stdout: string): NodeDaemonProbe {
  const processes = new Map<number, ProbedProcess>();
  const files: NodeDaemonProbe['files'] = [];
  let initScript: string | null = null;
  for (const line of stdout.split('\n')) {
    const [kind, ...fields] = line.split('\t');
    const pid = Number(fields[0]);
    if (kind === 'process' && Number.isInteger(pid) && pid > 0) {
      processes.set(pid, {
        pid,
        config: fields[1] || null,
        args: fields.slice(2).join(' ').trim(),
        configReadable: true,
        service: null,
        type: null,
        environment: null,
      });
    } else if (kind === 'config' && processes.has(pid)) {
      const p = processes.get(pid)!;
      const value = fields[2] ?? '';
      // The first value counts, as Config::IniFiles reads the first key of a section.
      if (fields[1] === 'SERVICE') p.service ??= value;
      else if (fields[1] === 'TYPE') p.type ??= value;
      else if (fields[1] === 'ENVIRONMENT') p.environment ??= value;
    } else if (kind === 'unreadable' && processes.has(pid)) {
      processes.get(pid)!.configReadable = false;
    } else if (kind === 'file' && fields[0]) {
      const filePid = Number(fields[1]);
      files.push({ path: fields[0], pid: fields[1] && Number.isInteger(filePid) ? filePid : null, alive: fields[2] === 'alive' });
    } else if (kind === 'init' && fields[0]) {
      initScript = fields[0];
    }
  }
  return { processes: [...processes.values()], files, initScript };
}

export interface NodeDaemonFinding {
  /** True only when a daemon process was positively identified as the backup daemon for this node. */
  runs: boolean;
  /** One sentence: what was found. */
  summary: string;
  /** The facts it rests on, one sentence each. */
  evidence: string[];
}

const isBackupKvm = (p: ProbedProcess) => p.service?.toLowerCase() === 'backup' && p.type?.toLowerCase() === 'kvm';

/**
 * A daemon counts only when its configuration says it is the backup module for this very node.
 * Anything less certain counts as not running: the console then executes the restore itself,
 * which writes nothing a daemon would act on, so a wrong "no" is safe and a wrong "yes" would
 * leave a restore waiting for an answer that never comes.
 */
export function judgeNodeDaemon(probe: NodeDaemonProbe, node: string): NodeDaemonFinding {
  const evidence: string[] = [];
  const describe = (p: ProbedProcess) => `process ${p.pid} (${p.args})`;
  for (const p of probe.processes) {
    if (!p.config) evidence.push(`${describe(p)} has no -c configuration file on its command line.`);
    else if (!p.configReadable) evidence.push(`${describe(p)} uses ${p.config}, which the console's node user cannot read.`);
    else
      evidence.push(
        `${describe(p)} uses ${p.config}: SERVICE ${p.service ?? '(not set)'}, TYPE ${p.type ?? '(not set)'}, ENVIRONMENT ${p.environment ?? '(not set)'}.`,
      );
  }
  for (const f of probe.files) {
    evidence.push(
      f.pid === null
        ? `${f.path} exists but names no process.`
        : `${f.path} names process ${f.pid}, which ${f.alive ? 'runs' : 'no longer runs'}.`,
    );
  }
  if (probe.initScript) evidence.push(`${probe.initScript} is installed.`);

  const mine = probe.processes.filter((p) => isBackupKvm(p) && p.environment?.toLowerCase() === node.toLowerCase());
  if (mine.length > 0) {
    return {
      runs: true,
      summary: `The node daemon runs on ${node}: ${describe(mine[0])}, configured in ${mine[0].config} for this node.`,
      evidence,
    };
  }
  const elsewhere = probe.processes.filter((p) => isBackupKvm(p));
  if (elsewhere.length > 0) {
    const p = elsewhere[0];
    return {
      runs: false,
      summary: p.environment
        ? `A node daemon runs (${describe(p)}) but serves ${p.environment} (ENVIRONMENT in ${p.config}), so it ignores the machines of ${node}.`
        : `A node daemon runs (${describe(p)}) but ${p.config} sets no ENVIRONMENT, so it serves no node.`,
      evidence,
    };
  }
  const unreadable = probe.processes.find((p) => !p.configReadable);
  if (unreadable) {
    return {
      runs: false,
      summary: `${describe(unreadable)} may be the node daemon, but the console cannot read ${unreadable.config} to tell; set NODE_DAEMON for ${node} to decide.`,
      evidence,
    };
  }
  const lock = probe.files.find((f) => f.path === DAEMON_LOCK_FILE && f.alive);
  if (lock) {
    return {
      runs: false,
      summary: `${DAEMON_LOCK_FILE} names running process ${lock.pid}, but no ${DAEMON_PROGRAM} process with a Backup/KVM configuration for ${node} was found; set NODE_DAEMON for ${node} to decide.`,
      evidence,
    };
  }
  return {
    runs: false,
    summary: probe.initScript
      ? `The node daemon is installed on ${node} (${probe.initScript}) but not running.`
      : `No node daemon runs on ${node}: no ${DAEMON_PROGRAM} process with a Backup/KVM configuration.`,
    evidence,
  };
}

/**
 * The path the node daemon reads from a `file://` URL of the backup root: it keeps only what
 * `m/([\w\+]+\:\/\/)([\w\/]+)/` captures, so `file:///srv/vm-backup` becomes `/srv/vm`
 * (daemons.md fact 6). Null when nothing matches.
 */
export function daemonReadsDirectory(url: string): string | null {
  const match = /([\w+]+:\/\/)([\w/]+)/.exec(url);
  return match ? match[2] : null;
}
