import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../../scripts/node/test-node';
import { waitFor } from '../support/wait-for';
import { withDirectory } from './env-setup';
import { resolveNodeEndpoint } from '@/lib/ssh/address';
import { fingerprint } from '@/lib/ssh/known-hosts';
import { closeNodeConnections, nodeConnection } from '@/lib/ssh/pool';
import { runChecked, runOnNode } from '@/lib/ssh/run';

/**
 * Connection behaviour against a test node of its own (this file stops and restarts it and
 * swaps its keys). The console's known_hosts and key are copies the tests rewrite; both are
 * re-read on every new connection.
 */
const NODE = 'node-01.stoney-cloud.org';
const SILENT = 'silent.stoney-cloud.org';

let node: TestNode;
let silent: Server;
let work: string;
let knownHosts: string;
let consoleKey: string;
let goodKnownHosts: string;

const freshKey = (name: string): { path: string; publicLine: string } => {
  const path = join(work, name);
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path]);
  return { path, publicLine: readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ') };
};

const hostFingerprint = () => fingerprint(Buffer.from(node.hostPublicKey.split(' ')[1], 'base64'));

beforeAll(async () => {
  node = await startTestNode();
  work = mkdtempSync(join(tmpdir(), 'ssh-connection-'));
  knownHosts = join(work, 'known_hosts');
  consoleKey = join(work, 'console_key');
  goodKnownHosts = readFileSync(node.knownHostsPath, 'utf8');
  writeFileSync(knownHosts, goodKnownHosts);
  copyFileSync(node.privateKeyPath, consoleKey);
  // A server that accepts TCP connections and never says a word.
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;
  withDirectory('demoDirectory', {
    NODE_SSH_PRIVATE_KEY_FILE: consoleKey,
    NODE_SSH_KNOWN_HOSTS_FILE: knownHosts,
    NODE_SSH_TIMEOUT_MS: '5000',
    // node-02 is deliberately not mapped: its address comes from the directory.
    NODE_ADDRESSES: `${NODE}=127.0.0.1:${node.port},${SILENT}=127.0.0.1:${silentPort}`,
  });
});

afterAll(async () => {
  await closeNodeConnections();
  await node?.stop();
  silent?.close();
});

beforeEach(async () => {
  await closeNodeConnections();
  writeFileSync(knownHosts, goodKnownHosts);
  copyFileSync(node.privateKeyPath, consoleKey);
  await node.startListener();
});

describe('connecting to a node', () => {
  it('connects with the pinned host key and the console key, and reuses the connection', async () => {
    const result = await runOnNode(NODE, ['id', '-un']);
    expect(result).toEqual({ code: 0, stdout: `${node.user}\n`, stderr: '' });
    const first = await nodeConnection(NODE);
    await runOnNode(NODE, ['true']);
    expect(await nodeConnection(NODE)).toBe(first);
  });

  it('returns a non-zero exit with stderr, and runChecked turns it into command-failed', async () => {
    const result = await runOnNode(NODE, ['ls', '/no/such/folder']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No such file or directory/);
    await expect(runChecked(NODE, ['ls', '/no/such/folder'], 'Listing the folder')).rejects.toMatchObject({
      code: 'command-failed',
      exitCode: 2,
      message: expect.stringMatching(/^Listing the folder failed on node node-01.stoney-cloud.org: ls: cannot access/),
    });
  });

  it('streams output as it arrives and feeds standard input', async () => {
    const chunks: string[] = [];
    const result = await runOnNode(NODE, ['sh', '-c', 'for i in 1 2 3; do echo "line $i"; sleep 0.1; done; cat; echo oops >&2'], {
      stdin: 'from stdin\n',
      onStdout: (chunk) => chunks.push(chunk.toString()),
    });
    expect(result.stdout).toBe('line 1\nline 2\nline 3\nfrom stdin\n');
    expect(result.stderr).toBe('oops\n');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(result.stdout);
  });

  it('runs many commands at once over one connection', async () => {
    // More than the channels one connection may open at once; the rest wait for a free one.
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => runOnNode(NODE, ['echo', String(i)], { timeoutMs: 30_000 })));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
  });

  it('refuses a node whose host key is not pinned, and says which key it presented', async () => {
    writeFileSync(knownHosts, `# nothing pinned for the test node\n[127.0.0.1]:1 ${freshKey('other-host').publicLine}\n`);
    const error = await runOnNode(NODE, ['true']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'host-key-unknown' });
    const message = (error as Error).message;
    expect(message).toContain(hostFingerprint());
    expect(message).toContain(`ssh-keyscan -p ${node.port} 127.0.0.1 >> ${knownHosts}`);
    expect(message).toMatch(/not pinned/);
  });

  it('refuses a node whose host key changed, naming both keys', async () => {
    const impostor = freshKey('impostor');
    writeFileSync(knownHosts, `[127.0.0.1]:${node.port} ${impostor.publicLine}\n`);
    const error = await runOnNode(NODE, ['true']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'host-key-changed' });
    const message = (error as Error).message;
    expect(message).toMatch(/has CHANGED/);
    expect(message).toContain(hostFingerprint());
    expect(message).toContain(fingerprint(Buffer.from(impostor.publicLine.split(' ')[1], 'base64')));
    expect(message).toContain(`ssh-keygen -R '[127.0.0.1]:${node.port}'`);
  });

  it('also accepts the key pinned under the node name, as OpenSSH would', async () => {
    writeFileSync(knownHosts, `[${NODE}]:${node.port} ${node.hostPublicKey}\n`);
    expect((await runOnNode(NODE, ['echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('reports a key the node does not accept', async () => {
    copyFileSync(freshKey('stranger').path, consoleKey);
    await expect(runOnNode(NODE, ['true'])).rejects.toMatchObject({
      code: 'node-auth-failed',
      message: expect.stringMatching(/refused the console's key for user/),
    });
  });

  it('reports a refused connection, and connects again once sshd is back', async () => {
    await node.stopListener();
    await expect(runOnNode(NODE, ['true'])).rejects.toMatchObject({
      code: 'node-unreachable',
      message: expect.stringMatching(/refused the connection/),
    });
    await node.startListener();
    expect((await runOnNode(NODE, ['echo', 'back'])).stdout).toBe('back\n');
  });

  it('reports a node that accepts TCP but never answers as a timeout', async () => {
    const started = Date.now();
    await expect(runOnNode(SILENT, ['true'])).rejects.toMatchObject({
      code: 'node-timeout',
      message: expect.stringMatching(/did not answer within 5 s/),
    });
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  it('reports a dropped connection during a command, and the next call reconnects', async () => {
    const running = runOnNode(NODE, ['sleep', '30'], { timeoutMs: 0 });
    const before = await nodeConnection(NODE);
    await waitFor('a connection to drop', async () => (await node.dropConnections()) > 0, 5_000);
    await expect(running).rejects.toMatchObject({ code: 'node-connection-lost' });
    expect((await runOnNode(NODE, ['echo', 'again'])).stdout).toBe('again\n');
    expect(await nodeConnection(NODE)).not.toBe(before);
  });

  it('notices sshd going away while idle, and the next command runs on a new connection', async () => {
    await runOnNode(NODE, ['true']);
    const before = await nodeConnection(NODE);
    await node.stopListener();
    await node.startListener();
    expect((await runOnNode(NODE, ['echo', 'fresh'])).stdout).toBe('fresh\n');
    expect(await nodeConnection(NODE)).not.toBe(before);
  });

  it('stops a command that exceeds its timeout, on the node too', async () => {
    await expect(runOnNode(NODE, ['sleep', '31.4159'], { timeoutMs: 500 })).rejects.toMatchObject({
      code: 'node-timeout',
      message: expect.stringMatching(/^sleep on node node-01.stoney-cloud.org .* did not finish within 1 s and was stopped/),
    });
    await waitFor('sleep 31.4159 to end', async () => (await runOnNode(NODE, ['pgrep', '-f', 'sleep 31.4159'])).code === 1, 5_000);
  });

  it('stops a command when its AbortSignal fires', async () => {
    const controller = new AbortController();
    const running = runOnNode(NODE, ['sleep', '27.1828'], { signal: controller.signal, timeoutMs: 0 });
    setTimeout(() => controller.abort(), 300);
    await expect(running).rejects.toMatchObject({ code: 'command-aborted' });
    await waitFor('sleep 27.1828 to end', async () => (await runOnNode(NODE, ['pgrep', '-f', 'sleep 27.1828'])).code === 1, 5_000);
    const aborted = new AbortController();
    aborted.abort();
    await expect(runOnNode(NODE, ['true'], { signal: aborted.signal })).rejects.toMatchObject({ code: 'command-aborted' });
  });

  it('takes a node address from the directory unless NODE_ADDRESSES maps the node', async () => {
    expect(await resolveNodeEndpoint('node-02.stoney-cloud.org')).toEqual({
      node: 'node-02.stoney-cloud.org',
      host: '10.1.120.12',
      port: 22,
      source: 'directory',
    });
    expect(await resolveNodeEndpoint(NODE)).toEqual({ node: NODE, host: '127.0.0.1', port: node.port, source: 'NODE_ADDRESSES' });
    await expect(resolveNodeEndpoint('node-99.stoney-cloud.org')).rejects.toMatchObject({ code: 'node-address-unknown' });
    await expect(resolveNodeEndpoint('node-01;id')).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
