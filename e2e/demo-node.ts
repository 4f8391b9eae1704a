import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeTree } from '../scripts/node/node-tree';
import { readDomain, type StandInDomain } from '../scripts/node/virsh-state';

interface NodeInfo {
  host: string;
  port: number;
  tree: NodeTree;
  /** The test node's own folder (keys, sshd config, bin/ first on every session's PATH). */
  dir: string;
  /** VIRSH_STATE_DIR of the node's virsh stand-in. */
  virshStateDir: string;
}

/** What e2e/global-setup.ts started: the demo node's sshd and the files in its tree. */
export function demoNode(): NodeInfo {
  return JSON.parse(readFileSync('test-results/e2e-state/node.json', 'utf8')) as NodeInfo;
}

/** The live domain as the node's virsh stand-in holds it (null when not defined). */
export function liveDomain(uuid: string): StandInDomain | null {
  return readDomain(demoNode().virshStateDir, uuid);
}

/**
 * Installs tests/fixtures/node-bin/<command> as the node's <command> (which acts as the real one
 * while its flag file is absent) and writes `value` to the flag, or removes the flag for null.
 */
function standIn(command: 'cp' | 'rm', flag: string, value: string | null): void {
  const { dir, virshStateDir } = demoNode();
  const flagFile = join(virshStateDir, flag);
  if (value === null) {
    rmSync(flagFile, { force: true });
    return;
  }
  const bin = join(dir, 'bin', command);
  if (!existsSync(bin)) {
    copyFileSync(`tests/fixtures/node-bin/${command}`, bin);
    chmodSync(bin, 0o755);
  }
  writeFileSync(flagFile, value);
}

/**
 * Makes every large copy on the node (`cp -p -T`, as the restore copies images) pause half-way
 * for `seconds`, so a test can watch the copy progress and reload meanwhile; null makes copies
 * fast again. Installs tests/fixtures/node-bin/cp as the node's `cp` (which is the real cp otherwise).
 */
export function slowCopies(seconds: number | null): void {
  standIn('cp', 'slow-cp', seconds === null ? null : String(seconds));
}

/**
 * While `path` is set, `rm -rf -- <path>` fails on the node as a busy folder would (the restore
 * removes its retain folder that way); null lets it succeed again. Installs
 * tests/fixtures/node-bin/rm as the node's `rm` (the real rm otherwise).
 */
export function failRemoval(path: string | null): void {
  standIn('rm', 'fail-rm', path);
}

export { fileSnapshot, sha256 } from '../tests/support/file-snapshot';
