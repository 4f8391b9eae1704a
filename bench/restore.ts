/**
 * Restore benchmark (issue #5, point 4): a whole restore of a machine with a 2 GiB disk image
 * through the console's restore engine, against a test node over real sshd, taking turns with
 * plain `cp -p` of the same files over the same pooled SSH connection.
 *
 *   npx tsx bench/restore.ts [--gib 2] [--repeats 6] [--warmups 1] [--settle 5] [--timeline] [--without-bashrc] [--copy-pairs 0] [--executor console|daemon]
 *
 * The node is the demo's test node (scripts/node/demo-node.ts: real OpenSSH, virsh stand-in)
 * with the demo directory in a private slapd; the newest backup of web-01 gets a vda image of
 * --gib GiB of incompressible data (qcow2, fully allocated), its other files stay small. The
 * engine runs in this process exactly as the console's actions call it (startRestore, the
 * wizard's readConflicts, resolveConflicts with every conflict 'backup', confirmRestore,
 * launchPhase2 and waiting for it); only sign-in and Next's page cache are left out. Between
 * rounds the live directory entries and domain are put back as they were, so every round meets
 * the same three conflicts; the live images already equal the backup after a restore, and the
 * iteration is 'finished' again. Every SSH command is observed (lib/ssh observeNodeCommands),
 * which splits the console's time into the copy, the other SSH commands and the rest.
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
 * Default: console (NODE_DAEMON=*=absent).
 */
import './allow-server-only.cjs';
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
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
      gib: { type: 'string', default: '2' },
      repeats: { type: 'string', default: '6' },
      warmups: { type: 'string', default: '1' },
      settle: { type: 'string', default: '5' },
      timeline: { type: 'boolean', default: false },
      'without-bashrc': { type: 'boolean', default: false },
      'copy-pairs': { type: 'string', default: '0' },
      executor: { type: 'string', default: 'console' },
    },
    strict: true,
  });
  const gib = Number(values.gib);
  const repeats = Number(values.repeats);
  const warmups = Number(values.warmups);
  if (!(gib > 0 && gib <= 64)) throw new Error(`--gib must be a size in GiB between 0 and 64, not ${values.gib}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a whole number of at least 1, not ${values.repeats}`);
  if (!Number.isInteger(warmups) || warmups < 0) throw new Error(`--warmups must be a whole number, not ${values.warmups}`);
  if (values.executor !== 'console' && values.executor !== 'daemon')
    throw new Error(`--executor must be console or daemon, not ${values.executor}`);
  const settle = Number(values.settle);
  if (!(settle >= 0 && settle <= 120)) throw new Error(`--settle must be a number of seconds between 0 and 120, not ${values.settle}`);
  return {
    imageBytes: Math.round(gib * GiB),
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
  /** Moving each image over the live one (mv, a rename within the file system). */
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
  const step7End = Math.max(...checks.map((c) => c.endedAt), ...windows.map((w) => w[1]));
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

async function main(): Promise<void> {
  const o = options();
  const now = new Date();
  // Peak use: the backup image, its copy in the retain folder (then moved over the live one),
  // the old live image until the move, the cp -p copy in the scratch folder, and qemu-img's raw input while building.
  const needed = 4 * o.imageBytes + 512 * MiB;
  const fs = await statfs(tmpdir());
  const free = fs.bavail * fs.bsize;
  console.log(`Restore benchmark on ${machineDescription()}; load average ${loadAverage()}`);
  console.log(
    `Temporary folder ${tmpdir()}: ${(free / GiB).toFixed(1)} GiB free, about ${(needed / GiB).toFixed(1)} GiB needed at the peak.`,
  );
  if (free < needed)
    throw new Error(
      `Not enough room in ${tmpdir()} (${(free / GiB).toFixed(1)} GiB free, ${(needed / GiB).toFixed(1)} GiB needed); set TMPDIR or use --gib.`,
    );

  const web = demoSpec().machines.find((m) => m.name === 'web-01');
  if (!web) throw new Error('web-01 is missing from the demo directory');
  const newest = [...web.iterations].filter((it) => it.mode === 'finished').sort((a, b) => a.agoMs - b.agoMs)[0];
  const chosen = iterationName(newest, now);

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
          machineUuid === web.uuid && disk === 'vda' && iteration === chosen ? o.imageBytes : undefined,
      },
    );
    const tree = node.tree.machines.find((m) => m.uuid === web.uuid);
    const iteration = tree?.iterations.find((i) => i.name === chosen);
    if (!tree || !iteration?.folder) throw new Error(`web-01's iteration ${chosen} has no backup folder in the node tree`);
    const large = iteration.files.filter((f) => f.kind === 'state' || f.kind === 'disk');
    const largeBytes = large.reduce((s, f) => s + f.sizeBytes, 0);
    const largePaths = new Set(large.map((f) => f.path));
    console.log(
      `Test node (sshd on 127.0.0.1:${node.node.port}${o.withoutBashrc ? "; login shell without the user's ~/.bashrc" : ''}) and its folder tree built in ${seconds(performance.now() - t)}; ${node.node.root}`,
    );
    console.log(
      `web-01, iteration ${chosen}: ${large.map((f) => `${f.name.split('.')[1] === 'state' ? 'state file' : `${f.disk} image`} ${(f.sizeBytes / MiB).toFixed(f.sizeBytes < MiB ? 2 : 0)} MiB`).join(', ')} (${(largeBytes / GiB).toFixed(2)} GiB in all)`,
    );

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
    const { consoleInstance, launchPhase2, settle } = await import('../lib/restore/runner');
    const { decodeJournal } = await import('../lib/restore/journal');
    const stopDaemon = closeAll;
    closeAll = async () => {
      await stopDaemon();
      await closeNodeConnections();
      await closeDirectory();
    };

    const nodeName = web.node;
    const ref = { machineUuid: web.uuid, iteration: chosen };
    const virshDir = node.node.virshStateDir;
    const scratch = join(node.node.root, 'bench-cp');

    // What a round puts back: the live directory entries and the live domain as they were.
    const liveEntries = (await readLiveMachineEntries(web.uuid)).filter((e) => !isBackupHistory(rdnsOf(e.dn)));
    const liveDomain = readDomain(virshDir, web.uuid);
    if (!liveDomain) throw new Error('web-01 has no live domain on the test node');
    const reset = async (): Promise<void> => {
      await applyLdapChanges(ldapChanges(await readLiveMachineEntries(web.uuid), liveEntries), web.uuid);
      writeDomain(virshDir, liveDomain);
    };
    // Before each turn the previous turn's 2 GiB are written out (sync), so neither side pays
    // for the other's writeback, and then the machine rests for --settle seconds: on the VM this
    // was built on, a copy started right after a sync ran about twice as fast as one started a
    // few seconds later (3, 6 or 10 s, all alike), which favoured whichever side copies first
    // thing (cp -p) over the console, whose copy starts some seconds into the restore.
    const sync = () => run('sync');
    const settleDisk = async () => {
      await sync();
      await new Promise((r) => setTimeout(r, o.settleMs));
    };

    // The floor of every SSH command on this node: a command that does nothing, through the
    // command runner (as the restore sends its commands) and on a channel of its own (as before
    // the runner); and what starting the login shell costs, as sshd starts it (Debian's bash
    // reads ~/.bashrc when SSH_CLIENT is set and SHLVL is below 2) and without the ~/.bashrc.
    // Sampled a few times before the rounds and after each, since other work on the machine
    // changes it.
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

    const consoleRestore = async (): Promise<ConsoleRound> => {
      await reset();
      await settleDisk();
      const trace: ObservedCommand[] = [];
      const stop = observeNodeCommands((c) => trace.push(c));
      const t0 = performance.now();
      let tPhase2 = t0;
      try {
        await startRestore(ref, 'bench', consoleInstance());
        if (o.executor === 'daemon') {
          // The node daemon copies the small files; the wizard shows the conflicts once it has answered.
          const deadline = Date.now() + 60_000;
          while ((await readIterationModes(web.uuid)).find((m) => m.name === chosen)?.mode !== 'unretainedSmallFiles') {
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
      const mode = (await readIterationModes(web.uuid)).find((m) => m.name === chosen);
      if (mode?.mode !== 'finished' || (mode.returnValue ?? 0) !== 0) {
        const records = decodeJournal((await readJournal(web.uuid, chosen))?.records ?? []);
        const failed = records.filter((r) => r.step === 'failed').pop();
        throw new Error(
          `The restore ended in mode ${mode?.mode} with ${mode?.returnValue}: ${failed ? JSON.stringify(failed) : 'no failure recorded'}`,
        );
      }
      return analyse(trace, largePaths, t0, tPhase2, t1);
    };

    const plainCopy = async (): Promise<{ copy: number; written: number }> => {
      await runChecked(nodeName, ['rm', '-rf', '--', scratch], 'clearing the scratch folder');
      await runChecked(nodeName, ['mkdir', '--', scratch], 'creating the scratch folder');
      await settleDisk();
      const t0 = performance.now();
      for (const f of large) {
        const result = await runOnNode(nodeName, ['cp', '-p', '--', f.path, `${scratch}/${f.name}`], { timeoutMs: 0 });
        if (result.code !== 0) throw new Error(`cp -p ${f.path} failed with ${result.code}: ${result.stderr}`);
      }
      const copy = performance.now() - t0;
      // For reference: until the copies are on disk (the console's move of an image over the live one waits for part of that).
      await sync();
      const written = performance.now() - t0;
      await runChecked(nodeName, ['rm', '-rf', '--', scratch], 'clearing the scratch folder');
      return { copy, written };
    };

    console.log(
      `\nAn empty SSH command (\`true\`) takes ${ms(median(empty))} ms through the command runner on this node now, ${ms(median(emptyExec))} ms on a channel of its own (medians of 5); bash -c true started as sshd starts it, reading the login user's ~/.bashrc: ${ms(median(shellWithRc))} ms, without it: ${ms(median(shellWithoutRc))} ms.`,
    );
    // Strictly alternating turns. On the VM this was built on, the speed of a 2 GiB copy
    // swings with a period of four turns (two at about 2 s, two at about 3.4 s, whoever copies;
    // most likely page cache written into memory that free page reporting had handed back to
    // the hypervisor). With the order alternating per round (ABBA) every console copy landed
    // in the slow half; with strict turns and an even number of rounds (the default 6) each
    // side gets as many slow as fast turns.
    console.log(
      `${o.warmups} warm-up round(s), then ${o.repeats} rounds; the console's restore and plain cp -p take turns, each always following the other:`,
    );
    const rounds: ConsoleRound[] = [];
    const copies: number[] = [];
    const writtenCopies: number[] = [];
    if (o.copyPairs > 0) {
      const { copyFile } = await import('../lib/ssh');
      const fn: number[] = [];
      const plain: number[] = [];
      const copyDir = join(node.node.root, 'bench-copyfile');
      for (let i = 0; i < o.copyPairs; i++) {
        await runChecked(nodeName, ['rm', '-rf', '--', copyDir], 'clearing the copyFile folder');
        await runChecked(nodeName, ['mkdir', '--', copyDir], 'creating the copyFile folder');
        await settleDisk();
        const t0 = performance.now();
        for (const f of large)
          await copyFile(nodeName, f.path, `${copyDir}/${f.name}`, { sourceRoot: node.node.root, destinationRoot: node.node.root });
        fn.push(performance.now() - t0);
        await runChecked(nodeName, ['rm', '-rf', '--', copyDir], 'clearing the copyFile folder');
        plain.push((await plainCopy()).copy);
        console.log(`  copy pair ${i + 1}: copyFile ${seconds(fn[i])}, cp -p ${seconds(plain[i])}`);
      }
      console.log(
        `copyFile alone against cp -p, the same ${large.length} files, ${o.copyPairs} turns each: medians ${seconds(median(fn))} and ${seconds(median(plain))}, ratio ${(median(fn) / median(plain)).toFixed(2)}x\n`,
      );
    }
    for (let i = -o.warmups; i < o.repeats; i++) {
      const c = await consoleRestore();
      const p = await plainCopy();
      const label = i < 0 ? 'warm-up' : `round ${i + 1}`;
      console.log(
        `  ${label}: console restore ${seconds(c.total)} (phase 1 ${seconds(c.phase1)}, phase 2 ${seconds(c.phase2)}; copy ${seconds(c.copy)}, of it cp ${seconds(c.cpCommands)}; qemu-img check ${seconds(c.imageCheck)}; ${c.sshCommands} SSH commands, ${c.polls} of them progress polls; mv ${seconds(c.move)}; no SSH command running ${seconds(c.noSsh)}); cp -p ${seconds(p.copy)} (with sync ${seconds(p.written)})`,
      );
      if (o.timeline) console.log(c.timeline.map((l) => `      ${l}`).join('\n'));
      await sampleCommandCost(3);
      if (i < 0) continue;
      rounds.push(c);
      copies.push(p.copy);
      writtenCopies.push(p.written);
    }

    // Content check once, outside the timings: the live image is the backup's, byte for byte.
    const live = tree.liveImages.find((l) => l.disk === 'vda');
    const backup = large.find((f) => f.disk === 'vda');
    if (live && backup) await runChecked(nodeName, ['cmp', '--', backup.path, live.path], 'comparing the restored image with the backup');

    const med = (pick: (r: ConsoleRound) => number) => median(rounds.map(pick));
    const cp = median(copies);
    const ratio = (v: number) => `${(v / cp).toFixed(2)}x`;
    const m = {
      total: med((r) => r.total),
      phase1: med((r) => r.phase1),
      phase2: med((r) => r.phase2),
      copy: med((r) => r.copy),
      cpCommands: med((r) => r.cpCommands),
      step7: med((r) => r.step7),
      imageCheck: med((r) => r.imageCheck),
      move: med((r) => r.move),
      sshOutside: med((r) => r.sshOutsideCopy),
      noSsh: med((r) => r.noSsh),
      commands: med((r) => r.sshCommands),
      polls: med((r) => r.polls),
    };
    console.log(
      `\n## Restore benchmark${o.executor === 'daemon' ? ', daemon-driven (the node daemon stand-in executes the node steps)' : ''}${o.withoutBashrc ? " (node's login shell without ~/.bashrc)" : ''}: web-01 with a ${(o.imageBytes / GiB).toFixed(o.imageBytes % GiB === 0 ? 0 : 2)} GiB image, ${large.length} large files (${(largeBytes / GiB).toFixed(2)} GiB)`,
    );
    console.log(`Machine: ${machineDescription()}; load average after: ${loadAverage()}`);
    console.log(
      `Medians of ${o.repeats} rounds after ${o.warmups} warm-up(s), in seconds; plain cp -p copies the same ${large.length} files one command each over the same SSH connection;` +
        ` before each turn: sync, then ${o.settleMs / 1000} s rest.\n`,
    );
    const written = median(writtenCopies);
    const emptyMs = median(empty);
    console.log(
      table(
        ['measurement', 'console', 'cp -p', 'ratio', 'target'],
        o.executor === 'daemon'
          ? [
              ['whole restore (phase 1 start → phase 2 finished)', sec(m.total), sec(cp), ratio(m.total), '≤ 1.10x'],
              [
                '  phase 1 (pre-flight, the daemon unretains the small files, conflicts read 3 times, resolve, confirm)',
                sec(m.phase1),
                '',
                '',
                '',
              ],
              [
                '  phase 2 (the daemon copies and checks, the console checks, directory, define, stop; the daemon restores)',
                sec(m.phase2),
                '',
                '',
                '',
              ],
              ["the console's qemu-img check of the daemon's copies", sec(m.imageCheck), '', '', ''],
              [
                'reference: whole restore against cp -p followed by sync',
                sec(m.total),
                sec(written),
                `${(m.total / written).toFixed(2)}x`,
                '',
              ],
            ]
          : [
              ['whole restore (phase 1 start → phase 2 finished)', sec(m.total), sec(cp), ratio(m.total), '≤ 1.10x'],
              ['  phase 1 (pre-flight, small files, conflicts read 3 times, resolve, confirm)', sec(m.phase1), '', '', ''],
              ['  phase 2 (copy and verify, stop, undefine, move, directory, define and restore)', sec(m.phase2), '', '', ''],
              ['large-file copy alone (copyFile of the state file and each image)', sec(m.copy), sec(cp), ratio(m.copy), '≤ 1.10x'],
              ['qemu-img check of the images (verification the spec requires)', sec(m.imageCheck), '', '', ''],
              ['step 7 whole (copy, size comparison, qemu-img check)', sec(m.step7), sec(cp), ratio(m.step7), ''],
              ['moving the images over the live ones (mv; ext4 starts writing the copy out)', sec(m.move), '', '', ''],
              [
                'reference: whole restore against cp -p followed by sync',
                sec(m.total),
                sec(written),
                `${(m.total / written).toFixed(2)}x`,
                '',
              ],
            ],
      ),
    );
    const last = rounds[rounds.length - 1];
    if (o.executor === 'daemon')
      console.log(
        "\nThe daemon copies, moves and restores on the node itself; the console's SSH commands below are its reads, checks and preparations.",
      );
    else
      console.log(
        `\nWhere the console's time goes (medians): the large-file copy commands ${seconds(m.cpCommands)}; other SSH commands, while no copy runs, ${seconds(m.sshOutside)}` +
          ` (${m.commands} SSH commands per restore${m.polls > 0 ? `, ${m.polls} of them progress polls during a copy` : ''}; the moves of the images ${seconds(m.move)} of it);` +
          ` no SSH command running (directory reads and writes, the engine's own work) ${seconds(m.noSsh)}.`,
      );
    const execMs = median(emptyExec);
    console.log(
      `SSH command overhead: an empty command (\`true\`) costs ${ms(emptyMs)} ms through the command runner on this node (median of ${empty.length}), ${ms(execMs)} ms on a channel of its own` +
        `${o.withoutBashrc ? " (its login shell not reading the user's ~/.bashrc)" : " (most of it the login shell reading the user's ~/.bashrc)"}` +
        ` (bash -c true started as sshd starts it: ${ms(median(shellWithRc))} ms with the ~/.bashrc, ${ms(median(shellWithoutRc))} ms without). ${m.commands} commands × ${ms(emptyMs)} ms ≈ ${seconds(m.commands * emptyMs)}` +
        ` (some run side by side: the conflict reads send six at once; ${seconds(m.commands * execMs)} on channels of their own); plain cp -p pays it ${large.length} times (${seconds(large.length * emptyMs)}).`,
    );
    console.log(
      `SSH commands of the last round by program (count, time): ${[...last.byProgram.entries()].map(([k, v]) => `${k} ${v.count}× ${seconds(v.ms)}`).join('; ')}.`,
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
