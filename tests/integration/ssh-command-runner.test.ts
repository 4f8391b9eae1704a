import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../../scripts/node/test-node';
import { waitFor } from '../support/wait-for';
import { withDirectory } from './env-setup';
import { nodeStatus } from '@/lib/ssh';
import { closeNodeConnections, nodeConnection } from '@/lib/ssh/pool';
import { runOnNode, type RunOptions } from '@/lib/ssh/run';

/**
 * The command runner (lib/ssh/runner.ts) against nodes of this file's own: a command through
 * it behaves exactly as on an SSH channel of its own (`plainExec`), byte for byte, with exit
 * status, signals, stdin, late output, timeouts, aborts and the output limit; a node where the
 * runner cannot start falls back to plain exec and says why; a login shell that prints noise
 * does not disturb it.
 */
const RUNNER = 'runner-01.stoney-cloud.org';
const BROKEN = 'broken-01.stoney-cloud.org';
const NOISY = 'noisy-01.stoney-cloud.org';

let work: string;
let runnerTmp: string;
let node: TestNode;
let broken: TestNode;
let noisy: TestNode;
let home: string;

const both = async (argv: string[], options: RunOptions = {}) => [
  await runOnNode(RUNNER, argv, options),
  await runOnNode(RUNNER, argv, { ...options, plainExec: true }),
];
const runnerDirs = () => readdirSync(runnerTmp).filter((name) => name.startsWith('console-node-runner.'));
const running = (pattern: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith(pattern));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ssh-runner-'));
  runnerTmp = join(work, 'tmp');
  mkdirSync(runnerTmp);
  // Bash reads $BASH_ENV when sshd starts it for a command: a login shell that talks.
  writeFileSync(
    join(work, 'noise.sh'),
    'echo "Welcome to noisy-01 (console-node-runner)"\necho "a warning on stderr" >&2\nprintf "no newline"\n',
  );
  [node, broken, noisy] = await Promise.all([
    startTestNode({ env: { TMPDIR: runnerTmp } }),
    startTestNode({ env: { TMPDIR: join(work, 'does-not-exist') } }),
    startTestNode({ env: { BASH_ENV: join(work, 'noise.sh') } }),
  ]);
  const knownHosts = join(work, 'known_hosts');
  writeFileSync(knownHosts, [node, broken, noisy].map((n) => `[${n.host}]:${n.port} ${n.hostPublicKey}\n`).join(''));
  // One console key for all three nodes.
  for (const other of [broken, noisy])
    writeFileSync(join(other.dir, 'authorized_keys'), execFileSync('ssh-keygen', ['-y', '-f', node.privateKeyPath]));
  withDirectory('demoDirectory', {
    NODE_SSH_PRIVATE_KEY_FILE: node.privateKeyPath,
    NODE_SSH_KNOWN_HOSTS_FILE: knownHosts,
    NODE_SSH_TIMEOUT_MS: '5000',
    NODE_ADDRESSES: `${RUNNER}=127.0.0.1:${node.port},${BROKEN}=127.0.0.1:${broken.port},${NOISY}=127.0.0.1:${noisy.port}`,
  });
  home = (await runOnNode(RUNNER, ['pwd'])).stdout.trim();
});

afterAll(async () => {
  await closeNodeConnections();
  await Promise.all([node?.stop(), broken?.stop(), noisy?.stop()]);
  for (const pattern of ['sleep 30.77', 'sleep 31.11', 'sleep 31.22', 'sleep 32.5']) {
    for (const line of running(pattern)) execFileSync('pkill', ['-f', line], { stdio: 'ignore' });
  }
  rmSync(work, { recursive: true, force: true });
});

describe('commands through the runner', () => {
  it('run one after the other in one long-lived shell, each in a process group and session of its own', async () => {
    const ids = async (options: RunOptions = {}) => {
      const { stdout } = await runOnNode(RUNNER, ['sh', '-c', 'echo "$$ $PPID $(ps -o pgid= -p $$) $(ps -o sid= -p $$)"'], options);
      const [pid, parent, group, session] = stdout.trim().split(/\s+/).map(Number);
      return { pid, parent, group, session };
    };
    const first = await ids();
    const second = await ids();
    expect(second.parent).toBe(first.parent);
    for (const command of [first, second]) {
      expect(command.group).toBe(command.pid);
      expect(command.session).toBe(command.pid);
    }
    expect(execFileSync('ps', ['-o', 'args=', '-p', String(first.parent)], { encoding: 'utf8' })).toMatch(/^\/bin\/sh -c /);
    // Plain exec: the login shell sshd started for it, in a session of its own, under sshd.
    const plain = await ids({ plainExec: true });
    expect(plain.session).toBe(plain.pid);
    expect(plain.parent).not.toBe(first.parent);
    expect((await nodeConnection(RUNNER)).runners.state()).toEqual({ active: true, runners: 1 });
    expect(await nodeStatus(RUNNER)).toMatchObject({ reachable: true, commandRunner: { active: true } });
  });

  it('give the same output, status and signal as a channel of their own', async () => {
    const hostile = [
      `$(touch ${join(home, 'pwned-runner')})`,
      '`id`;x',
      "it's",
      'line1\nline2',
      '',
      '\n\n',
      'trailing\n',
      ' spaced ',
      '-rf',
      '\\',
      '%s',
    ];
    const cases: string[][] = [
      ['printf', '%s\\0', ...hostile],
      ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      ['sh', '-c', 'kill -s TERM $$'],
      ['sh', '-c', 'printf "no newline at the end"; printf "nor here" >&2'],
      ['sh', '-c', '(sleep 0.3; echo late; echo late too >&2) & echo early'],
      ['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x'],
      ['ls', '/no/such/folder'],
      ['no-such-program-anywhere'],
      ['pwd'],
    ];
    for (const argv of cases) {
      const [runner, exec] = await both(argv);
      if (argv[0] === 'no-such-program-anywhere') {
        expect([runner.code, exec.code]).toEqual([127, 127]);
        expect(runner.stdout).toBe('');
        continue;
      }
      expect(runner, JSON.stringify(argv)).toEqual(exec);
    }
    const [killed] = await both(['sh', '-c', 'kill -s TERM $$']);
    expect(killed).toMatchObject({ code: 143, signal: 'SIGTERM' });
    expect((await runOnNode(RUNNER, ['printf', '%s\\0', ...hostile])).stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect(existsSync(join(home, 'pwned-runner'))).toBe(false);
  });

  it('pass standard input byte for byte, text or binary, also when it looks like the protocol', async () => {
    const binary = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7 + (i >> 8)) & 0xff;
    const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
    const [viaRunner, viaExec] = await both(['sha256sum'], { stdin: binary });
    expect(viaRunner.stdout.split(' ')[0]).toBe(sha(binary));
    expect(viaExec.stdout).toBe(viaRunner.stdout);
    const tricky = "0123abcd 1 0\n'echo' 'x'\nconsole-node-runner 1 ready 1\n\0\n";
    expect((await runOnNode(RUNNER, ['cat'], { stdin: tricky })).stdout).toBe(tricky);
    expect((await runOnNode(RUNNER, ['cat'], { stdin: '' })).stdout).toBe('');
    expect((await runOnNode(RUNNER, ['cat'])).stdout).toBe('');
    // The runner keeps nothing of it once the command has ended.
    const kept = runnerDirs()
      .map((d) => join(runnerTmp, d, 'i'))
      .filter((file) => existsSync(file) && statSync(file).size > 0);
    expect(kept).toEqual([]);
  });

  it('do not wait for a process that let go of the output, but do for one that holds it', async () => {
    const detached = await runOnNode(RUNNER, ['sh', '-c', 'sleep 30.77 </dev/null >/dev/null 2>&1 & echo started'], { timeoutMs: 10_000 });
    expect(detached.stdout).toBe('started\n');
    expect(running('sleep 30.77')).toHaveLength(1);
    execFileSync('pkill', ['-f', 'sleep 30.77']);
    // Holding stdout: the command's output is not complete until the sleep ends, as on a channel.
    await expect(runOnNode(RUNNER, ['sh', '-c', 'sleep 32.5 & echo started'], { timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'node-timeout',
    });
    await waitFor('sleep 32.5 to end', () => running('sleep 32.5').length === 0, 5_000);
  });

  it('stop a whole process group on abort and timeout, and the runner serves the next command', async () => {
    const controller = new AbortController();
    const started = runOnNode(RUNNER, ['sh', '-c', 'sleep 31.11 & sleep 31.22; wait'], { signal: controller.signal, timeoutMs: 0 });
    await waitFor('sleep 31.22 to run', () => running('sleep 31.22').length === 1, 5_000);
    controller.abort();
    await expect(started).rejects.toMatchObject({ code: 'command-aborted' });
    await waitFor('both sleeps to end', () => running('sleep 31.11').length === 0 && running('sleep 31.22').length === 0, 5_000);
    await expect(runOnNode(RUNNER, ['sh', '-c', 'sleep 31.11'], { timeoutMs: 500 })).rejects.toMatchObject({ code: 'node-timeout' });
    await waitFor('sleep 31.11 to end', () => running('sleep 31.11').length === 0, 5_000);
    await expect(runOnNode(RUNNER, ['head', '-c', '100000', '/dev/zero'], { maxOutputBytes: 1000 })).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/wrote more than 1000 bytes/),
    });
    expect((await runOnNode(RUNNER, ['echo', 'still here'])).stdout).toBe('still here\n');
    const state = (await nodeConnection(RUNNER)).runners.state();
    expect(state).toMatchObject({ active: true });
    // Reused: at most one more while a stopped command's runner waited for its end.
    expect(state?.active && state.runners).toBeLessThanOrEqual(3);
  });

  it('run side by side on several runners, no more than the connection allows', async () => {
    const parents = await Promise.all(Array.from({ length: 12 }, () => runOnNode(RUNNER, ['sh', '-c', 'echo $PPID; sleep 0.3'])));
    const distinct = new Set(parents.map((r) => r.stdout.trim()));
    expect(distinct.size).toBeGreaterThan(1);
    expect(distinct.size).toBeLessThanOrEqual(8);
    const before = (await nodeConnection(RUNNER)).runners.state();
    for (let i = 0; i < 10; i++) await runOnNode(RUNNER, ['true']);
    expect((await nodeConnection(RUNNER)).runners.state()).toEqual(before);
  });

  it('fail with the connection, or with their runner alone, and the next command runs', async () => {
    const connection = await nodeConnection(RUNNER);
    const runner = Number((await runOnNode(RUNNER, ['sh', '-c', 'echo $PPID'])).stdout.trim());
    const sleeping = runOnNode(RUNNER, ['sleep', '31.11'], { timeoutMs: 0 });
    await waitFor('sleep 31.11 to run', () => running('sleep 31.11').length === 1, 5_000);
    process.kill(runner, 'SIGKILL');
    await expect(sleeping).rejects.toMatchObject({ code: 'node-connection-lost' });
    execFileSync('pkill', ['-f', 'sleep 31.11']);
    expect((await runOnNode(RUNNER, ['echo', 'again'])).stdout).toBe('again\n');
    expect(await nodeConnection(RUNNER)).toBe(connection);

    // The runner's folder vanished while it was idle (a /tmp cleaner): it refuses, another runs the command.
    for (const dir of runnerDirs()) rmSync(join(runnerTmp, dir), { recursive: true, force: true });
    expect((await runOnNode(RUNNER, ['echo', 'fresh folder'])).stdout).toBe('fresh folder\n');
    expect(runnerDirs().length).toBeGreaterThan(0);

    const during = runOnNode(RUNNER, ['sleep', '31.22'], { timeoutMs: 0 });
    await waitFor('sleep 31.22 to run', () => running('sleep 31.22').length === 1, 5_000);
    await node.dropConnections();
    await expect(during).rejects.toMatchObject({ code: 'node-connection-lost' });
    expect((await runOnNode(RUNNER, ['echo', 'reconnected'])).stdout).toBe('reconnected\n');
    expect(await nodeConnection(RUNNER)).not.toBe(connection);
  });

  it('end with the connection and leave nothing behind on the node', async () => {
    // The runners killed above left their folders (some linger as zombies); the next runner to start removes them.
    await closeNodeConnections();
    await runOnNode(RUNNER, ['true']);
    await waitFor('one runner folder', () => runnerDirs().length === 1, 5_000);
    await closeNodeConnections();
    await waitFor('no runner folder', () => runnerDirs().length === 0, 5_000);
  });
});

describe('nodes where the runner cannot work as usual', () => {
  it('fall back to a login shell per command, with the reason on the node status, and still stop commands', async () => {
    expect(await runOnNode(BROKEN, ['echo', 'ok'])).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    const status = await nodeStatus(BROKEN);
    expect(status).toMatchObject({
      reachable: true,
      commandRunner: { active: false, reason: expect.stringMatching(/^ended before it was ready \(exit status 70\): mktemp: /) },
    });
    await expect(runOnNode(BROKEN, ['sleep', '31.11'], { timeoutMs: 500 })).rejects.toMatchObject({ code: 'node-timeout' });
    await waitFor('sleep 31.11 to end', () => running('sleep 31.11').length === 0, 5_000);
    const controller = new AbortController();
    const aborted = runOnNode(BROKEN, ['sleep', '31.22'], { signal: controller.signal, timeoutMs: 0 });
    setTimeout(() => controller.abort(), 300);
    await expect(aborted).rejects.toMatchObject({ code: 'command-aborted' });
    await waitFor('sleep 31.22 to end', () => running('sleep 31.22').length === 0, 5_000);
  });

  it('skip what a talkative login shell prints before the runner starts', async () => {
    expect(await runOnNode(NOISY, ['echo', 'clean'])).toEqual({ code: 0, stdout: 'clean\n', stderr: '' });
    expect(await runOnNode(NOISY, ['sh', '-c', 'echo err >&2'])).toEqual({ code: 0, stdout: '', stderr: 'err\n' });
    expect((await nodeConnection(NOISY)).runners.state()).toEqual({ active: true, runners: 1 });
  });
});
