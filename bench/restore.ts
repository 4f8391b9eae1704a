/**
 * Restore benchmark (issue #5, point 4; issue #13): whole restores of a machine with a 2 GiB and
 * an 8 GiB disk image through the console's restore engine, against a test node over real sshd,
 * taking turns with plain `cp -p` of the same files (followed by `sync`) over the same pooled SSH
 * connection; the downtime of each restore (machine stopped → running again), the undo of each
 * restore with its downtime, and proof that neither the restore's renames nor the undo copy image
 * data (inode numbers).
 *
 *   npx tsx bench/restore.ts [--gib 2,8] [--repeats 3] [--warmups 1] [--settle 5] [--timeline] [--without-bashrc] [--copy-pairs 0] [--executor console|daemon]
 *
 * The node is the demo's test node (scripts/node/demo-node.ts: real OpenSSH, virsh stand-in)
 * with the demo directory in a private slapd; web-01's newest backups get a vda image of each
 * --gib size of incompressible data (qcow2, fully allocated: the newest the first size, the next
 * the second), their other files stay small. The engine runs in this process exactly as the
 * console's actions call it (startRestore, the wizard's readConflicts, resolveConflicts with
 * every conflict 'backup', confirmRestore, launchPhase2 and waiting for it; then launchUndo of
 * that restore and waiting for it); only sign-in and Next's page cache are left out. The undo
 * puts the machine back exactly as it was, so every round meets the same conflicts and the same
 * small live images. Every SSH command is observed (lib/ssh observeNodeCommands), which splits
 * the console's time into the copy, the other SSH commands and the rest, and times the virsh
 * stand-in's own work while the machine is stopped.
 * --timeline prints every command of every round with its start and duration.
 * --copy-pairs N first times lib/ssh's copyFile alone against cp -p, N turns each, outside any
 * restore (the console's copy function without the restore around it).
 * --without-bashrc: the node's login shell does not read the login user's ~/.bashrc (on the
 * machine this was written on, that file costs 100–300 ms per SSH command; a real node's root
 * shell starts in a few milliseconds).
 * --executor daemon: the node daemon stand-in (tests/fixtures/daemons/node-daemon.ts) runs on
 * the test node and executes the node steps (daemon-driven restore); the console asks for each
 * and waits for its answers. The large files are then copied by the daemon on the node, not
 * over SSH, so the copy columns do not apply; the whole restore is still timed against cp -p.
 * Such a restore keeps nothing, so there is no undo: between rounds the directory entries and
 * the domain are put back instead. Default: console (NODE_DAEMON=*=absent).
 */
import './allow-server-only.cjs';
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { iterationName } from '../scripts/directory/cloud-ldif';
import { buildDemoDirectory, DEMO, demoSpec } from '../scripts/directory/demo-directory';
import { startSlapd, type RunningSlapd } from '../scripts/directory/slapd';
import { startDemoNode, type DemoNode } from '../scripts/node/demo-node';
import { readDomain, writeDomain } from '../scripts/node/virsh-state';
import { bashTrue, median, ms, table } from './measure';
import type { ObservedCommand } from '../lib/ssh';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const run = promisify(execFile);

function options() {
  const { values } = parseArgs({
    options: {
      gib: { type: 'string', default: '2,8' },
      repeats: { type: 'string', default: '3' },
      warmups: { type: 'string', default: '1' },
      settle: { type: 'string', default: '5' },
      timeline: { type: 'boolean', default: false },
      'without-bashrc': { type: 'boolean', default: false },
      'copy-pairs': { type: 'string', default: '0' },
      executor: { type: 'string', default: 'console' },
    },
    strict: true,
  });
  const gibs = (values.gib ?? '').split(',').map((g) => Number(g.trim()));
  const repeats = Number(values.repeats);
  const warmups = Number(values.warmups);
  if (gibs.length < 1 || gibs.length > 3 || gibs.some((gib) => !(gib > 0 && gib <= 64)))
    throw new Error(`--gib must be one to three sizes in GiB between 0 and 64, separated by commas, not ${values.gib}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a whole number of at least 1, not ${values.repeats}`);
  if (!Number.isInteger(warmups) || warmups < 0) throw new Error(`--warmups must be a whole number, not ${values.warmups}`);
  if (values.executor !== 'console' && values.executor !== 'daemon')
    throw new Error(`--executor must be console or daemon, not ${values.executor}`);
  const settle = Number(values.settle);
  if (!(settle >= 0 && settle <= 120)) throw new Error(`--settle must be a number of seconds between 0 and 120, not ${values.settle}`);
  return {
    imageSizes: gibs.map((gib) => Math.round(gib * GiB)),
    repeats,
    warmups,
    settleMs: settle * 1000,
    timeline: values.timeline === true,
    withoutBashrc: values['without-bashrc'] === true,
    copyPairs: Math.max(0, Math.floor(Number(values['copy-pairs']) || 0)),
    executor: values.executor as 'console' | 'daemon',
  };
}

function machineDescription(): string {
  const model = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${cpus().length} CPUs (${model}), ${(totalmem() / GiB).toFixed(1)} GiB memory, Node ${process.version}`;
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const seconds = (t: number) => `${(t / 1000).toFixed(2)} s`;
const sec = (t: number) => (t / 1000).toFixed(2);

/** Total length of the union of intervals. */
function covered(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of sorted) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

/** Source and destination of a command that copies: `cp -p -T -- src dst`, or lib/ssh's copy script (sh -c script sh src dst …). */
function copyPaths(c: ObservedCommand): { src: string; dst: string } | null {
  if (c.argv[0] === 'cp') {
    const at = c.argv.indexOf('--');
    return at > 0 ? { src: c.argv[at + 1], dst: c.argv[at + 2] } : null;
  }
  if (c.argv[0] === 'sh' && c.argv[1] === '-c' && /\bcp -p -T\b/.test(c.argv[2] ?? '')) return { src: c.argv[4], dst: c.argv[5] };
  return null;
}

/** The commands that copy one of the large files. */
const copies = (large: Set<string>) => (c: ObservedCommand) => large.has(copyPaths(c)?.src ?? '');
const isImageCheck = (c: ObservedCommand) => c.argv[0] === 'qemu-img' && c.argv[1] === 'check';
const isMove = (c: ObservedCommand) => c.argv[0] === 'sh' && /\bmv -T\b/.test(c.argv[2] ?? '');
/** Checking the copies against the backup (cksum of both) while writing them out (sync), one command (lib/ssh/images.ts, sealCopies). */
const isSeal = (c: ObservedCommand) => c.argv[0] === 'sh' && /\bdurable\(\)/.test(c.argv[2] ?? '');
const isVirsh = (c: ObservedCommand) => c.argv[0] === 'virsh';

interface ConsoleRound {
  total: number;
  phase1: number;
  phase2: number;
  /** copyFile of every large file: its source stat, cp -p -T with the progress polls, the final size check. */
  copy: number;
  /** The cp -p -T commands alone. */
  cpCommands: number;
  /** Step 7 whole: the copies, the size comparison and qemu-img check of each image. */
  step7: number;
  imageCheck: number;
  /** Checksums of each copy and its backup, and writing the copies out to disk (staged restores). */
  seal: number;
  /** Moving each image over the live one (mv), or renaming the images into place (staged). */
  move: number;
  sshCommands: number;
  /** Commands that ran alongside a cp (progress polls). */
  polls: number;
  /** Time in which an SSH command other than cp was running and no cp was. */
  sshOutsideCopy: number;
  /** Time with no SSH command running: directory reads and writes, and the engine's own work. */
  noSsh: number;
  byProgram: Map<string, { count: number; ms: number }>;
  /** Every SSH command, relative to the start (for --timeline). */
  timeline: string[];
}

function analyse(trace: ObservedCommand[], large: Set<string>, t0: number, tPhase2: number, t1: number): ConsoleRound {
  const byStart = [...trace].sort((a, b) => a.startedAt - b.startedAt);
  const isCopy = copies(large);
  const copyCommands = byStart.filter(isCopy);
  const windows: Array<[number, number]> = copyCommands.map((cp) => {
    // copyFile: a stat of the source just before the copy and a size check of the copy just
    // after it, when it makes them as separate commands; progress polls run alongside.
    const { src, dst } = copyPaths(cp) as { src: string; dst: string };
    const previous = byStart.filter((c) => c !== cp && c.endedAt <= cp.startedAt + 1).pop();
    const next = byStart.find((c) => c.startedAt >= cp.endedAt);
    const before = previous?.argv.includes(src) && !previous.argv.includes(dst) ? previous : undefined;
    const after = next?.argv.includes(dst) && !next.argv.includes(src) ? next : undefined;
    return [before?.startedAt ?? cp.startedAt, after?.endedAt ?? cp.endedAt];
  });
  const checks = byStart.filter(isImageCheck);
  const seals = byStart.filter(isSeal);
  const step7End = Math.max(...checks.map((c) => c.endedAt), ...seals.map((c) => c.endedAt), ...windows.map((w) => w[1]));
  const cpIntervals = copyCommands.map((c): [number, number] => [c.startedAt, c.endedAt]);
  const all = byStart.map((c): [number, number] => [c.startedAt, c.endedAt]);
  const polls = byStart.filter((c) => !isCopy(c) && copyCommands.some((cp) => c.startedAt > cp.startedAt && c.startedAt < cp.endedAt));
  const byProgram = new Map<string, { count: number; ms: number }>();
  for (const c of byStart) {
    const name = copyPaths(c)
      ? 'copy (copyFile)'
      : c.argv[0] === 'sh'
        ? 'sh -c (stat, df, read, write, mv, rm…)'
        : c.argv[0] === 'qemu-img'
          ? `qemu-img ${c.argv[1]}`
          : c.argv[0] === 'virsh'
            ? `virsh ${c.argv.find((a, i) => i > 0 && !a.startsWith('-') && a !== 'qemu:///system') ?? ''}`
            : c.argv[0];
    const entry = byProgram.get(name) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += c.endedAt - c.startedAt;
    byProgram.set(name, entry);
  }
  return {
    total: t1 - t0,
    phase1: tPhase2 - t0,
    phase2: t1 - tPhase2,
    copy: windows.reduce((s, [a, b]) => s + (b - a), 0),
    cpCommands: cpIntervals.reduce((s, [a, b]) => s + (b - a), 0),
    step7: windows.length > 0 ? step7End - windows[0][0] : 0,
    imageCheck: checks.reduce((s, c) => s + (c.endedAt - c.startedAt), 0),
    seal: seals.reduce((s, c) => s + (c.endedAt - c.startedAt), 0),
    move: byStart.filter(isMove).reduce((s, c) => s + (c.endedAt - c.startedAt), 0),
    sshCommands: trace.length,
    polls: polls.length,
    sshOutsideCopy: covered(all) - covered(cpIntervals),
    noSsh: t1 - t0 - covered(all),
    byProgram,
    timeline: byStart.map((c) => {
      const script = c.argv[0] === 'sh' ? (/^(?:export LC_ALL=C\n)?(.{0,40})/.exec(c.argv[2] ?? '')?.[1] ?? '') : '';
      const args = c.argv.slice(c.argv[0] === 'sh' ? 4 : 1).map((a) => a.replace(/^.*\//, '…/'));
      return `${ms(c.startedAt - t0).padStart(7)} +${ms(c.endedAt - c.startedAt).padStart(6)} ms  ${c.argv[0]}${script ? ` [${script.replace(/\n/g, '; ')}]` : ''} ${args.join(' ')}`;
    }),
  };
}

interface Target {
  gib: string;
  imageBytes: number;
  ref: { machineUuid: string; iteration: string };
  large: { name: string; path: string; sizeBytes: number; kind: string; disk?: string }[];
  largeBytes: number;
  largePaths: Set<string>;
}

interface RestoreRound extends ConsoleRound {
  /** Machine found stopped → running again, as the restore journal records it (null where it did not stop a running machine). */
  downtime: number | null;
  /** The virsh stand-in's own work while the machine was stopped (define, restore). */
  virshInDowntime: number;
  /** The renames while stopped wrote no image data: the live image is the copy checked before the stop, the old one the same file under its kept name. */
  renamedNotCopied: boolean | null;
}

interface UndoRound {
  total: number;
  downtime: number | null;
  virshInDowntime: number;
  /** After the undo the live image is the very file that was live before the restore (same inode): nothing copied. */
  sameFileAgain: boolean;
}

async function main(): Promise<void> {
  const o = options();
  const now = new Date();
  const biggest = Math.max(...o.imageSizes);
  const allImages = o.imageSizes.reduce((s, b) => s + b, 0);
  // Peak use: every backup image, the copy of the largest beside its live image (removed by its
  // undo), cp -p's copy of it in the scratch folder, and qemu-img's raw input while building.
  const needed = allImages + 3 * biggest + 512 * MiB;
  const fs = await statfs(tmpdir());
  const free = fs.bavail * fs.bsize;
  console.log(`Restore benchmark on ${machineDescription()}; load average ${loadAverage()}`);
  console.log(`df -h ${tmpdir()}:\n${(await run('df', ['-h', '--', tmpdir()])).stdout.trimEnd()}`);
  console.log(
    `Temporary folder ${tmpdir()}: ${(free / GiB).toFixed(1)} GiB free, about ${(needed / GiB).toFixed(1)} GiB needed at the peak.`,
  );
  if (free < needed)
    throw new Error(
      `Not enough room in ${tmpdir()} (${(free / GiB).toFixed(1)} GiB free, ${(needed / GiB).toFixed(1)} GiB needed); set TMPDIR or use --gib.`,
    );

  const web = demoSpec().machines.find((m) => m.name === 'web-01');
  if (!web) throw new Error('web-01 is missing from the demo directory');
  const finished = [...web.iterations].filter((it) => it.mode === 'finished').sort((a, b) => a.agoMs - b.agoMs);
  if (finished.length < o.imageSizes.length)
    throw new Error(`web-01 has ${finished.length} finished iterations, fewer than the ${o.imageSizes.length} sizes asked for.`);
  const chosen = o.imageSizes.map((_, i) => iterationName(finished[i], now));
  const sizeOf = new Map(chosen.map((name, i) => [name, o.imageSizes[i]]));

  let node: DemoNode | null = null;
  let slapd: RunningSlapd | null = null;
  let closeAll: () => Promise<void> = async () => undefined;
  let cleaning: Promise<void> | null = null;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      await closeAll().catch(() => undefined);
      await Promise.allSettled([slapd?.stop(), node?.stop()]);
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: removing the test node's folder and stopping slapd…`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  try {
    let t = performance.now();
    node = await startDemoNode(
      now,
      { loginShellRc: !o.withoutBashrc },
      {
        imageBytesFor: ({ machineUuid, disk, iteration }) =>
          machineUuid === web.uuid && disk === 'vda' && iteration !== null ? sizeOf.get(iteration) : undefined,
      },
    );
    const tree = node.tree.machines.find((m) => m.uuid === web.uuid);
    if (!tree) throw new Error('web-01 is not in the node tree');
    const targets: Target[] = chosen.map((name, i) => {
      const iteration = tree.iterations.find((it) => it.name === name);
      if (!iteration?.folder) throw new Error(`web-01's iteration ${name} has no backup folder in the node tree`);
      const large = iteration.files.filter((f) => f.kind === 'state' || f.kind === 'disk');
      const gib = o.imageSizes[i] / GiB;
      return {
        gib: `${gib.toFixed(Number.isInteger(gib) ? 0 : 2)} GiB`,
        imageBytes: o.imageSizes[i],
        ref: { machineUuid: web.uuid, iteration: name },
        large,
        largeBytes: large.reduce((s, f) => s + f.sizeBytes, 0),
        largePaths: new Set(large.map((f) => f.path)),
      };
    });
    console.log(
      `Test node (sshd on 127.0.0.1:${node.node.port}${o.withoutBashrc ? "; login shell without the user's ~/.bashrc" : ''}) and its folder tree built in ${seconds(performance.now() - t)}; ${node.node.root}`,
    );
    for (const target of targets) {
      console.log(
        `web-01, iteration ${target.ref.iteration}: ${target.large.map((f) => `${f.kind === 'state' ? 'state file' : `${f.disk} image`} ${(f.sizeBytes / MiB).toFixed(f.sizeBytes < MiB ? 2 : 0)} MiB`).join(', ')} (${(target.largeBytes / GiB).toFixed(2)} GiB in all)`,
      );
    }

    t = performance.now();
    const demo = buildDemoDirectory(now, node.paths);
    slapd = await startSlapd({ baseDn: demo.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [demo.ldif] });
    console.log(`Demo directory in slapd in ${seconds(performance.now() - t)}: ${slapd.url}`);
    Object.assign(process.env, {
      LDAP_URL: slapd.url,
      LDAP_BASE_DN: slapd.baseDn,
      LDAP_BIND_DN: slapd.rootDn,
      LDAP_BIND_PASSWORD: slapd.rootPassword,
      SESSION_SECRET: 'restore-benchmark-secret-restore-benchmark-secret',
      CONSOLE_TIME_ZONE: 'Europe/Zurich',
      NODE_TIME_ZONE: 'Europe/Zurich',
      CONSOLE_CACHE_SECONDS: '0',
      // Deterministic: the console executes unless --executor daemon, then the node daemon stand-in is found on web-01's node.
      NODE_DAEMON: o.executor === 'daemon' ? '' : '*=absent',
      // No broker runs here: the console asks for the restore itself at once.
      RESTORE_BROKER_WAIT_SECONDS: '0',
      ...node.env,
    });
    if (o.executor === 'daemon') {
      const { startNodeDaemon } = await import('../tests/fixtures/daemons/node-daemon');
      const daemon = await startNodeDaemon({
        nodeDir: node.node.dir,
        virshStateDir: node.node.virshStateDir,
        environment: web.node,
        ldap: { url: slapd.url, bindDn: slapd.rootDn, password: slapd.rootPassword, baseDn: slapd.baseDn },
        virtualizationRoot: node.paths.virtualizationRoot,
        pollMs: 50,
      });
      const previous = closeAll;
      closeAll = async () => {
        await daemon.stop();
        await previous();
      };
      console.log(
        `Node daemon stand-in for ${web.node}: process ${daemon.pid}, looking for commands every 50 ms (the real daemon is told at once).`,
      );
    }

    const { observeNodeCommands, runOnNode, runChecked, closeNodeConnections } = await import('../lib/ssh');
    const { closeDirectory } = await import('../lib/ldap/client');
    const { readLiveMachineEntries, applyLdapChanges, readIterationModes, readJournal } = await import('../lib/ldap/restore');
    const { ldapChanges } = await import('../lib/diff/ldap-changes');
    const { isBackupHistory } = await import('../lib/diff/entries');
    const { rdnsOf } = await import('../lib/diff/dn');
    const { startRestore, readConflicts, resolveConflicts, confirmRestore } = await import('../lib/restore/phase1');
    const { consoleInstance, launchPhase2, launchUndo, settle } = await import('../lib/restore/runner');
    const { decodeJournal, last } = await import('../lib/restore/journal');
    const { listKept } = await import('../lib/restore/kept');
    const stopDaemon = closeAll;
    closeAll = async () => {
      await stopDaemon();
      await closeNodeConnections();
      await closeDirectory();
    };

    const nodeName = web.node;
    const virshDir = node.node.virshStateDir;
    const scratch = join(node.node.root, 'bench-cp');
    const liveVda = tree.liveImages.find((l) => l.disk === 'vda');
    if (!liveVda) throw new Error('web-01 has no live vda image');
    // The node is this machine: the files' inode numbers are read directly.
    const inode = (path: string) => statSync(path).ino;

    // Daemon-driven restores keep nothing to undo with: what a round puts back instead.
    const liveEntries = (await readLiveMachineEntries(web.uuid)).filter((e) => !isBackupHistory(rdnsOf(e.dn)));
    const liveDomain = readDomain(virshDir, web.uuid);
    if (!liveDomain) throw new Error('web-01 has no live domain on the test node');
    const reset = async (): Promise<void> => {
      await applyLdapChanges(ldapChanges(await readLiveMachineEntries(web.uuid), liveEntries), web.uuid);
      writeDomain(virshDir, liveDomain);
    };
    // Before each turn the previous turn's data is written out (sync), so neither side pays for
    // the other's writeback, and then the machine rests for --settle seconds: on the VM this
    // was built on, a copy started right after a sync ran about twice as fast as one started a
    // few seconds later (3, 6 or 10 s, all alike), which favoured whichever side copies first
    // thing (cp -p) over the console, whose copy starts some seconds into the restore.
    const sync = () => run('sync');
    // Every turn reads the backup files from disk, as a real restore does (a backup is rarely in
    // the page cache): their cached pages are dropped before each turn (dd iflag=nocache, for
    // those files only). Otherwise whichever side copies second reads what the first just read
    // from memory: plain cp -p, run after the console's restore, copied 8 GiB in 13–28 s
    // against 22–38 s for the console's copy of the same files right before it.
    const backupFiles = targets.flatMap((x) => x.large.map((f) => f.path));
    const dropCached = () => Promise.all(backupFiles.map((f) => run('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none'])));
    const settleDisk = async () => {
      await sync();
      await dropCached();
      await new Promise((r) => setTimeout(r, o.settleMs));
    };

    // The floor of every SSH command on this node: a command that does nothing, through the
    // command runner (after, issue #13) and on a channel of its own (before); and what starting
    // the login shell costs, as sshd starts it (Debian's bash reads ~/.bashrc when SSH_CLIENT is
    // set and SHLVL is below 2) and without the ~/.bashrc. Sampled a few times before the rounds
    // and after each, since other work on the machine changes it.
    await runChecked(nodeName, ['true'], 'warming up');
    const empty: number[] = [];
    const emptyExec: number[] = [];
    const shellWithRc: number[] = [];
    const shellWithoutRc: number[] = [];
    const timeIt = async (times: number[], work: () => Promise<unknown>) => {
      const s = performance.now();
      await work();
      times.push(performance.now() - s);
    };
    const sampleCommandCost = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await timeIt(empty, () => runChecked(nodeName, ['true'], 'measuring an empty command'));
        await timeIt(emptyExec, () => runChecked(nodeName, ['true'], 'measuring an empty command', { plainExec: true }));
        await timeIt(shellWithRc, () => bashTrue({ ...process.env, SSH_CLIENT: '127.0.0.1 1 2', SHLVL: '0' }));
        const { SSH_CLIENT: _client, SSH_CONNECTION: _connection, ...plainEnv } = process.env;
        await timeIt(shellWithoutRc, () => bashTrue({ ...plainEnv, SHLVL: '0' }));
      }
    };
    await sampleCommandCost(5);

    /** The virsh stand-in's own work inside a wall-clock window (journal times), from the observed commands (performance.now times). */
    const virshWithin = (trace: ObservedCommand[], window: { from: string; to: string } | null, wall0: number, perf0: number): number => {
      if (!window) return 0;
      const from = new Date(window.from).getTime() - wall0 + perf0;
      const to = new Date(window.to).getTime() - wall0 + perf0;
      return trace.filter(isVirsh).reduce((sum, c) => sum + Math.max(0, Math.min(c.endedAt, to) - Math.max(c.startedAt, from)), 0);
    };

    const consoleRestore = async (target: Target, verify: boolean): Promise<RestoreRound> => {
      const { ref } = target;
      if (o.executor === 'daemon') await reset();
      await settleDisk();
      const liveBefore = inode(liveVda.path);
      const trace: ObservedCommand[] = [];
      const stop = observeNodeCommands((c) => trace.push(c));
      const wall0 = Date.now();
      const t0 = performance.now();
      let tPhase2 = t0;
      try {
        await startRestore(ref, 'bench', consoleInstance());
        if (o.executor === 'daemon') {
          // The node daemon copies the small files; the wizard shows the conflicts once it has answered.
          const deadline = Date.now() + 60_000;
          while ((await readIterationModes(web.uuid)).find((m) => m.name === ref.iteration)?.mode !== 'unretainedSmallFiles') {
            if (Date.now() > deadline) throw new Error('The node daemon stand-in did not unretain the small files within 60 s.');
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        // The wizard shows the conflicts; the administrator takes the backup's side of each.
        const view = await readConflicts(ref);
        const decisions = Object.fromEntries(view.set.conflicts.map((c) => [c.id, { choice: 'backup' as const }]));
        const resolved = await resolveConflicts(ref, decisions, 'bench');
        if (!resolved.ok) throw new Error(`The decisions were refused: ${JSON.stringify(resolved.errors)}`);
        await confirmRestore(ref, 'bench');
        tPhase2 = performance.now();
        if (!(await launchPhase2(ref))) throw new Error('Phase 2 did not start: another instance holds the lease.');
        await settle();
      } finally {
        stop();
      }
      const t1 = performance.now();
      const mode = (await readIterationModes(web.uuid)).find((m) => m.name === ref.iteration);
      const records = decodeJournal((await readJournal(web.uuid, ref.iteration))?.records ?? []);
      if (mode?.mode !== 'finished' || (mode.returnValue ?? 0) !== 0) {
        const failed = records.filter((r) => r.step === 'failed').pop();
        throw new Error(
          `The restore ended in mode ${mode?.mode} with ${mode?.returnValue}: ${failed ? JSON.stringify(failed) : 'no failure recorded'}`,
        );
      }
      // Content check, outside the timings: the live image is the backup's, byte for byte.
      const backup = target.large.find((f) => f.disk === 'vda');
      if (verify && backup)
        await runChecked(nodeName, ['cmp', '--', backup.path, liveVda.path], 'comparing the restored image with the backup');
      const started = last(records, 'domain-started');
      const downtime = started?.downtime ? { from: started.downtime.stoppedAt, to: started.at } : null;
      const staged = last(records, 'large-files-verified')?.staged?.find((s) => s.disk === 'vda')?.id;
      const kept = (await listKept(web.uuid))
        .find((k) => k.iteration === ref.iteration && k.status === 'kept')
        ?.images.find((i) => i.target === 'vda');
      const renamedNotCopied =
        o.executor === 'daemon'
          ? null
          : staged !== undefined &&
            Number(staged.split(':')[1]) === inode(liveVda.path) &&
            kept !== undefined &&
            inode(kept.kept) === liveBefore;
      return {
        ...analyse(trace, target.largePaths, t0, tPhase2, t1),
        downtime: started?.downtime ? started.downtime.seconds * 1000 : null,
        virshInDowntime: virshWithin(trace, downtime, wall0, t0),
        renamedNotCopied,
      };
    };

    const undo = async (target: Target, liveBefore: number): Promise<UndoRound> => {
      await settleDisk();
      const kept = (await listKept(web.uuid)).find((k) => k.iteration === target.ref.iteration && k.status === 'kept');
      if (!kept) throw new Error(`The restore of ${target.ref.iteration} kept nothing to undo with.`);
      const trace: ObservedCommand[] = [];
      const stop = observeNodeCommands((c) => trace.push(c));
      const wall0 = Date.now();
      const t0 = performance.now();
      try {
        await launchUndo(kept.id, 'bench');
        await settle();
      } finally {
        stop();
      }
      const total = performance.now() - t0;
      const after = (await listKept(web.uuid)).find((k) => k.id === kept.id);
      if (after?.status !== 'undone')
        throw new Error(`The undo of ${kept.id} ended as ${after?.status}: ${JSON.stringify(after?.undo.failure)}`);
      const started = [...after.journal].reverse().find((r) => r.step === 'domain-started');
      const window = started?.step === 'domain-started' && started.downtime ? { from: started.downtime.stoppedAt, to: started.at } : null;
      return {
        total,
        downtime: started?.step === 'domain-started' && started.downtime ? started.downtime.seconds * 1000 : null,
        virshInDowntime: virshWithin(trace, window, wall0, t0),
        sameFileAgain: inode(liveVda.path) === liveBefore,
      };
    };

    const plainCopy = async (target: Target): Promise<{ copy: number; written: number }> => {
      await runChecked(nodeName, ['rm', '-rf', '--', scratch], 'clearing the scratch folder');
      await runChecked(nodeName, ['mkdir', '--', scratch], 'creating the scratch folder');
      await settleDisk();
      const t0 = performance.now();
      for (const f of target.large) {
        const result = await runOnNode(nodeName, ['cp', '-p', '--', f.path, `${scratch}/${f.name}`], { timeoutMs: 0 });
        if (result.code !== 0) throw new Error(`cp -p ${f.path} failed with ${result.code}: ${result.stderr}`);
      }
      const copy = performance.now() - t0;
      // Until the copies are on disk: the restore makes its copies durable before it stops the machine.
      await sync();
      const written = performance.now() - t0;
      await runChecked(nodeName, ['rm', '-rf', '--', scratch], 'clearing the scratch folder');
      return { copy, written };
    };

    console.log(
      `\nAn empty SSH command (\`true\`) takes ${ms(median(empty))} ms through the command runner on this node now, ${ms(median(emptyExec))} ms on a channel of its own (medians of 5); bash -c true started as sshd starts it, reading the login user's ~/.bashrc: ${ms(median(shellWithRc))} ms, without it: ${ms(median(shellWithoutRc))} ms.`,
    );
    if (o.copyPairs > 0) {
      const { copyFile } = await import('../lib/ssh');
      const target = targets[0];
      const fn: number[] = [];
      const plain: number[] = [];
      const copyDir = join(node.node.root, 'bench-copyfile');
      for (let i = 0; i < o.copyPairs; i++) {
        await runChecked(nodeName, ['rm', '-rf', '--', copyDir], 'clearing the copyFile folder');
        await runChecked(nodeName, ['mkdir', '--', copyDir], 'creating the copyFile folder');
        await settleDisk();
        const t0 = performance.now();
        for (const f of target.large)
          await copyFile(nodeName, f.path, `${copyDir}/${f.name}`, { sourceRoot: node.node.root, destinationRoot: node.node.root });
        fn.push(performance.now() - t0);
        await runChecked(nodeName, ['rm', '-rf', '--', copyDir], 'clearing the copyFile folder');
        plain.push((await plainCopy(target)).copy);
        console.log(`  copy pair ${i + 1}: copyFile ${seconds(fn[i])}, cp -p ${seconds(plain[i])}`);
      }
      console.log(
        `copyFile alone against cp -p, the same ${target.large.length} files (${target.gib}), ${o.copyPairs} turns each: medians ${seconds(median(fn))} and ${seconds(median(plain))}, ratio ${(median(fn) / median(plain)).toFixed(2)}x\n`,
      );
    }

    // Strictly alternating turns, size by size: the console's restore, its undo, then plain cp -p
    // (+ sync) of the same files. On the VM this was built on, the speed of a large copy swings
    // with a period of a few turns whoever copies (most likely page cache written into memory
    // that free page reporting had handed back to the hypervisor), so both sides take turns.
    console.log(
      `${o.warmups} warm-up round(s), then ${o.repeats} rounds; per round and size: the console's restore${o.executor === 'console' ? ', its undo' : ''}, then plain cp -p of the same files and sync:`,
    );
    const results = targets.map(() => ({
      restores: [] as RestoreRound[],
      undos: [] as UndoRound[],
      copies: [] as number[],
      written: [] as number[],
    }));
    for (let i = -o.warmups; i < o.repeats; i++) {
      const label = i < 0 ? 'warm-up' : `round ${i + 1}`;
      for (const [k, target] of targets.entries()) {
        const liveBefore = inode(liveVda.path);
        const c = await consoleRestore(target, i === 0);
        const u = o.executor === 'console' ? await undo(target, liveBefore) : null;
        const p = await plainCopy(target);
        console.log(
          `  ${label}, ${target.gib}: restore ${seconds(c.total)} (phase 1 ${seconds(c.phase1)}, phase 2 ${seconds(c.phase2)}; copy ${seconds(c.copy)}; checksums and write-out ${seconds(c.seal)}; qemu-img check ${seconds(c.imageCheck)};` +
            ` downtime ${c.downtime === null ? '—' : seconds(c.downtime)} of it virsh ${seconds(c.virshInDowntime)}, renames ${seconds(c.move)}; ${c.sshCommands} SSH commands; no SSH command running ${seconds(c.noSsh)})` +
            `${u ? `; undo ${seconds(u.total)}, downtime ${u.downtime === null ? '—' : seconds(u.downtime)} of it virsh ${seconds(u.virshInDowntime)}` : ''}; cp -p ${seconds(p.copy)}, with sync ${seconds(p.written)}`,
        );
        if (o.timeline) console.log(c.timeline.map((l) => `      ${l}`).join('\n'));
        await sampleCommandCost(3);
        if (i < 0) continue;
        results[k].restores.push(c);
        if (u) results[k].undos.push(u);
        results[k].copies.push(p.copy);
        results[k].written.push(p.written);
      }
    }

    const medOf = (values: number[]) => (values.length === 0 ? NaN : median(values));
    const summary = targets.map((target, k) => {
      const r = results[k];
      const m = (pick: (x: RestoreRound) => number) => medOf(r.restores.map(pick));
      const downtimes = r.restores.map((x) => x.downtime).filter((d): d is number => d !== null);
      const undoDowntimes = r.undos.map((x) => x.downtime).filter((d): d is number => d !== null);
      return {
        target,
        total: m((x) => x.total),
        phase1: m((x) => x.phase1),
        phase2: m((x) => x.phase2),
        copy: m((x) => x.copy),
        seal: m((x) => x.seal),
        imageCheck: m((x) => x.imageCheck),
        move: m((x) => x.move),
        commands: m((x) => x.sshCommands),
        noSsh: m((x) => x.noSsh),
        sshOutside: m((x) => x.sshOutsideCopy),
        downtime: medOf(downtimes),
        virsh: m((x) => x.virshInDowntime),
        undo: medOf(r.undos.map((x) => x.total)),
        undoDowntime: medOf(undoDowntimes),
        undoVirsh: medOf(r.undos.map((x) => x.virshInDowntime)),
        cp: medOf(r.copies),
        written: medOf(r.written),
        // Each restore against the cp -p + sync right after it: turns next to each other share the machine's load.
        pairedRatio: medOf(r.restores.map((x, i) => x.total / r.written[i])),
        renamed: r.restores.every((x) => x.renamedNotCopied === true),
        sameFile: r.undos.length > 0 && r.undos.every((x) => x.sameFileAgain),
        byProgram: r.restores[r.restores.length - 1]?.byProgram,
      };
    });
    const daemon = o.executor === 'daemon';
    console.log(
      `\n## Restore benchmark${daemon ? ', daemon-driven (the node daemon stand-in executes the node steps)' : ''}${o.withoutBashrc ? " (node's login shell without ~/.bashrc)" : ''}: web-01 with ${targets.map((x) => `a ${x.gib}`).join(' and ')} image`,
    );
    console.log(`Machine: ${machineDescription()}; load average after: ${loadAverage()}`);
    console.log(
      `Medians of ${o.repeats} rounds after ${o.warmups} warm-up(s), in seconds; plain cp -p copies the same files (state file, vda, vdb) one command each over the same SSH connection, then sync; before each turn: sync, the backup files dropped from the page cache, then ${o.settleMs / 1000} s rest.\n`,
    );
    const col = (f: (x: (typeof summary)[number]) => string) => summary.map(f);
    const ratioTarget = (x: (typeof summary)[number]) => (x.target.imageBytes >= 8 * GiB ? 1.1 : 1.5);
    const downtimeSpread =
      summary.length > 1 ? Math.max(...summary.map((x) => x.downtime)) - Math.min(...summary.map((x) => x.downtime)) : 0;
    const undoSpread =
      summary.length > 1 ? Math.max(...summary.map((x) => x.undoDowntime)) - Math.min(...summary.map((x) => x.undoDowntime)) : 0;
    const rows: string[][] = [
      ['whole restore (phase 1 start → phase 2 finished)', ...col((x) => sec(x.total)), ''],
      ['cp -p of the same files, then sync', ...col((x) => sec(x.written)), ''],
      [
        '**ratio: whole restore / (cp -p + sync)**',
        ...col((x) => `${(x.total / x.written).toFixed(2)}x`),
        '≤ 1.5x at 2 GiB, ≤ 1.10x at 8 GiB',
      ],
      ['ratio per round (each restore against the cp -p + sync after it), median', ...col((x) => `${x.pairedRatio.toFixed(2)}x`), ''],
      ['cp -p alone (no sync)', ...col((x) => sec(x.cp)), ''],
      ['  phase 1 (pre-flight, small files, conflicts read 3 times, resolve, confirm)', ...col((x) => sec(x.phase1)), ''],
      ['  phase 2', ...col((x) => sec(x.phase2)), ''],
      ...(daemon
        ? []
        : [
            ['  copy (copyFile of the state file, and of each image beside its live image)', ...col((x) => sec(x.copy)), ''],
            [
              '  checksums of each copy and its backup, while the copies are written out to disk (fsync; one command)',
              ...col((x) => sec(x.seal)),
              '',
            ],
            ['  qemu-img check of the copies', ...col((x) => sec(x.imageCheck)), ''],
            [
              '**downtime** (machine found stopped → running again, from the journal)',
              ...col((x) => sec(x.downtime)),
              `the same within 0.5 s (spread ${sec(downtimeSpread)}); < 2 s + virsh`,
            ],
            ["  of it the virsh stand-in's own work (undefine, define, restore)", ...col((x) => sec(x.virsh)), ''],
            ['  of it the renames into place (one SSH command)', ...col((x) => sec(x.move)), ''],
            ['undo, whole (checks, stop, renames, directory, define, start, clean up)', ...col((x) => sec(x.undo)), ''],
            ['**undo downtime**', ...col((x) => sec(x.undoDowntime)), `the same within 0.5 s (spread ${sec(undoSpread)}); < 2 s + virsh`],
            ["  of it the virsh stand-in's own work", ...col((x) => sec(x.undoVirsh)), ''],
            ['image data copied while stopped (inode numbers)', ...col((x) => (x.renamed ? 'none' : 'COPIED?')), 'none'],
            ['image data copied by the undo (inode numbers)', ...col((x) => (x.sameFile ? 'none' : 'COPIED?')), 'none'],
          ]),
    ];
    console.log(table(['measurement', ...summary.map((x) => x.target.gib), 'target'], rows));
    const verdicts = summary.map(
      (x) =>
        `${x.target.gib}: ${(x.total / x.written).toFixed(2)}x (per round ${x.pairedRatio.toFixed(2)}x) against ≤ ${ratioTarget(x).toFixed(2)}x, ${x.total / x.written <= ratioTarget(x) ? 'met' : 'not met'}`,
    );
    console.log(`\nWhole restore against cp -p + sync: ${verdicts.join('; ')}.`);
    if (!daemon) {
      const under = (x: (typeof summary)[number], d: number, v: number) => d <= 2000 + v;
      console.log(
        `Downtime: ${summary.map((x) => `${x.target.gib} ${sec(x.downtime)} s (virsh ${sec(x.virsh)} s)`).join(', ')}; spread ${sec(downtimeSpread)} s (target ≤ 0.50: ${downtimeSpread <= 500 ? 'met' : 'not met'}); under 2 s plus the virsh stand-in's work: ${summary.every((x) => under(x, x.downtime, x.virsh)) ? 'met' : 'not met'}.`,
      );
      console.log(
        `Undo downtime: ${summary.map((x) => `${x.target.gib} ${sec(x.undoDowntime)} s (virsh ${sec(x.undoVirsh)} s)`).join(', ')}; spread ${sec(undoSpread)} s (${undoSpread <= 500 ? 'met' : 'not met'}); under 2 s plus virsh: ${summary.every((x) => under(x, x.undoDowntime, x.undoVirsh)) ? 'met' : 'not met'}.` +
          ` No image data copied: after each restore the live vda was the copy checked before the stop (its inode as journaled) and the replaced image the same file under its kept name; after each undo the live vda was the very file that was live before the restore (same inode): ${summary.every((x) => x.renamed && x.sameFile) ? 'yes, every round' : 'NO: see the table'}.`,
      );
      for (const x of summary) {
        console.log(
          `Where the console's time goes at ${x.target.gib} (medians): other SSH commands while no copy runs ${seconds(x.sshOutside)} (${x.commands} SSH commands per restore); no SSH command running (directory, the engine) ${seconds(x.noSsh)}.` +
            (x.byProgram
              ? ` Last round by program: ${[...x.byProgram.entries()].map(([k, v]) => `${k} ${v.count}× ${seconds(v.ms)}`).join('; ')}.`
              : ''),
        );
      }
    }
    const emptyMs = median(empty);
    const execMs = median(emptyExec);
    console.log(
      `Per-command overhead: an empty command (\`true\`) ${ms(execMs)} ms before (an SSH channel of its own${o.withoutBashrc ? '' : ", the login shell reading the user's ~/.bashrc"}), ${ms(emptyMs)} ms after (through the command runner), medians of ${empty.length};` +
        ` bash -c true as sshd starts it: ${ms(median(shellWithRc))} ms with the ~/.bashrc, ${ms(median(shellWithoutRc))} ms without. bench/ssh-command.ts measures this in detail.`,
    );
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
