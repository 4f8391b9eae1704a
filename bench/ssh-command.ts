/**
 * Node command overhead (issue #13, point 3): what a command costs the console beyond its own
 * work, sent as before (an SSH channel of its own, for which sshd starts the node user's login
 * shell) and through the connection's command runner (lib/ssh/runner.ts), side by side.
 *
 *   npx tsx bench/ssh-command.ts [--commands 200] [--without-bashrc]
 *
 * The node is a test node (scripts/node/test-node.ts: real OpenSSH on 127.0.0.1) whose login
 * shell reads the user's ~/.bashrc, as the restore benchmark's does (--without-bashrc: sshd
 * passes SHLVL=1 and bash skips it). Both ways take turns in blocks of 10 commands over the
 * same pooled connection, so a change in the machine's load hits both alike:
 *
 * - an empty command (`true`), one at a time;
 * - `sh -c` with a 1.5 KB script that does nothing (the size of copyFile's script: the runner
 *   reads a request a byte at a time);
 * - 8 empty commands at once, 64 in all (the restore sends some side by side), after 8 to warm
 *   up (which start the runners);
 * - the first command on a fresh connection (connect, and the runner's start).
 *
 * For reference: what starting `/bin/true` costs the node's shell (fork and exec), the floor of
 * any command, and what bash costs with and without the ~/.bashrc.
 */
import './allow-server-only.cjs';
import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseArgs, promisify } from 'node:util';
import { startTestNode, type TestNode } from '../scripts/node/test-node';
import { bashTrue, median, ms, table } from './measure';

const run = promisify(execFile);
const NODE = 'bench-node.stoney-cloud.org';
const BLOCK = 10;

function options() {
  const { values } = parseArgs({
    options: {
      commands: { type: 'string', default: '200' },
      'without-bashrc': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const commands = Number(values.commands);
  if (!Number.isInteger(commands) || commands < BLOCK)
    throw new Error(`--commands must be a whole number of at least ${BLOCK}, not ${values.commands}`);
  return { commands: Math.ceil(commands / BLOCK) * BLOCK, withoutBashrc: values['without-bashrc'] === true };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function main(): Promise<void> {
  const o = options();
  console.log(
    `Node command benchmark on ${cpus().length} CPUs (${cpus()[0]?.model?.trim() ?? 'unknown CPU'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, Node ${process.version}; load average ${loadAverage()}`,
  );
  let node: TestNode | null = null;
  let close: () => Promise<void> = async () => undefined;
  try {
    node = await startTestNode({ loginShellRc: !o.withoutBashrc });
    Object.assign(process.env, {
      LDAP_URL: 'ldap://127.0.0.1:1',
      LDAP_BASE_DN: 'dc=stoney-cloud,dc=org',
      LDAP_BIND_DN: 'cn=unused,dc=stoney-cloud,dc=org',
      LDAP_BIND_PASSWORD: 'unused',
      SESSION_SECRET: 'ssh-command-benchmark-secret-ssh-command-benchmark',
      NODE_SSH_USER: node.user,
      NODE_SSH_PRIVATE_KEY_FILE: node.privateKeyPath,
      NODE_SSH_KNOWN_HOSTS_FILE: node.knownHostsPath,
      NODE_ADDRESSES: `${NODE}=${node.host}:${node.port}`,
    });
    const { runChecked, closeNodeConnections } = await import('../lib/ssh');
    const { nodeConnection } = await import('../lib/ssh/pool');
    close = closeNodeConnections;
    console.log(
      `Test node: sshd on 127.0.0.1:${node.port}${o.withoutBashrc ? ", login shell without the user's ~/.bashrc" : ", login shell reading the user's ~/.bashrc"}.`,
    );

    type Way = 'exec' | 'runner';
    const ways: Way[] = ['exec', 'runner'];
    const send = (way: Way, argv: string[]) => runChecked(NODE, argv, 'benchmark command', { plainExec: way === 'exec' });
    const script = `exit 0\n${'# the size of the copy script\n'.repeat(52)}`;
    await send('exec', ['true']);
    await send('runner', ['true']);

    const empty: Record<Way, number[]> = { exec: [], runner: [] };
    const scripted: Record<Way, number[]> = { exec: [], runner: [] };
    for (let block = 0; block < o.commands / BLOCK; block++) {
      for (const way of block % 2 === 0 ? ways : [...ways].reverse()) {
        for (let i = 0; i < BLOCK; i++) {
          let t = performance.now();
          await send(way, ['true']);
          empty[way].push(performance.now() - t);
          t = performance.now();
          await send(way, ['sh', '-c', script, 'sh']);
          scripted[way].push(performance.now() - t);
        }
      }
    }

    // Each way on a connection of its own: eight idle runners and eight commands on channels of
    // their own (while sshd still counts the ones just closed) would pass the node's MaxSessions.
    const parallel: Record<Way, number[]> = { exec: [], runner: [] };
    for (let round = 0; round < 4; round++) {
      for (const way of round % 2 === 0 ? ways : [...ways].reverse()) {
        await closeNodeConnections();
        await Promise.all(Array.from({ length: 8 }, () => send(way, ['true'])));
        const t = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < 64) {
              next += 1;
              await send(way, ['true']);
            }
          }),
        );
        parallel[way].push((performance.now() - t) / 64);
      }
    }

    const fresh: Record<Way, number[]> = { exec: [], runner: [] };
    for (let round = 0; round < 6; round++) {
      for (const way of round % 2 === 0 ? ways : [...ways].reverse()) {
        await closeNodeConnections();
        const t = performance.now();
        await send(way, ['true']);
        fresh[way].push(performance.now() - t);
      }
    }
    await send('runner', ['true']);
    const state = (await nodeConnection(NODE)).runners.state();

    // The floor: fork and exec of /bin/true by the node's sh, and bash as sshd starts it.
    const { stdout } = await run('sh', [
      '-c',
      'i=0; s=$(date +%s%N); while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done; e=$(date +%s%N); echo $(( (e - s) / 200000 ))',
    ]);
    const forkExecUs = Number(stdout.trim());
    const bash = async (env: NodeJS.ProcessEnv) => {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await bashTrue(env);
        times.push(performance.now() - t);
      }
      return median(times);
    };
    const { SSH_CLIENT: _client, SSH_CONNECTION: _connection, ...plainEnv } = process.env;
    const bashWithRc = await bash({ ...plainEnv, SSH_CLIENT: '127.0.0.1 1 2', SHLVL: '0' });
    const bashWithoutRc = await bash({ ...plainEnv, SHLVL: '0' });

    const cell = (values: number[]) => `${ms(median(values))} (p90 ${ms(percentile(values, 90))})`;
    const faster = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(1)}x`;
    console.log(
      `\n## Node command overhead${o.withoutBashrc ? ' (login shell without ~/.bashrc)' : ''}: medians in ms, ${o.commands} commands each way one at a time, taking turns in blocks of ${BLOCK}`,
    );
    console.log(
      `Load average after: ${loadAverage()}. Runner state at the end: ${state?.active ? `active (${state.runners} runner${state.runners === 1 ? '' : 's'} on the connection)` : `not active: ${state?.reason ?? 'never started'}`}.\n`,
    );
    console.log(
      table(
        ['measurement', 'before: a channel per command', 'after: command runner', 'faster'],
        [
          ['empty command (`true`), one at a time', cell(empty.exec), cell(empty.runner), faster(empty.exec, empty.runner)],
          ['sh -c with a 1.5 KB script, one at a time', cell(scripted.exec), cell(scripted.runner), faster(scripted.exec, scripted.runner)],
          [
            'empty command, 8 at once (ms per command, 4 × 64 commands)',
            ms(median(parallel.exec)),
            ms(median(parallel.runner)),
            faster(parallel.exec, parallel.runner),
          ],
          ['first command on a fresh connection (connect, login, runner start)', ms(median(fresh.exec)), ms(median(fresh.runner)), ''],
        ],
      ),
    );
    console.log(
      `\nFor reference, on this machine (which is also the node): fork and exec of /bin/true by sh ${(forkExecUs / 1000).toFixed(2)} ms;` +
        ` bash -c true as sshd starts it ${ms(bashWithRc)} ms with the user's ~/.bashrc, ${ms(bashWithoutRc)} ms without.` +
        ` Through the runner an empty command costs ${ms(median(empty.runner) - forkExecUs / 1000)} ms beyond starting \`true\` itself.`,
    );
  } finally {
    await close().catch(() => undefined);
    await node?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
