import { chmodSync, copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where on the test node the tools of tests/fixtures/node-bin go and look for their flags. */
export interface FixtureNode {
  /** The node's own folder: bin/ in it is first on every session's PATH. */
  dir: string;
  /** VIRSH_STATE_DIR, where the fixtures read whether a fault is on. */
  virshStateDir: string;
}

export type NodeTool = 'cp' | 'mv' | 'rm';

/**
 * Faults a test switches on and off on the test node through the tools of
 * tests/fixtures/node-bin, which are the real tools while their flag is off. Switching a fault
 * on puts its tool first on the node's PATH if it is not there yet; null or false switches it off.
 */
export function nodeFaults(node: FixtureNode) {
  const install = (tools: readonly NodeTool[]): void => {
    for (const tool of tools) {
      const target = join(node.dir, 'bin', tool);
      copyFileSync(join(process.cwd(), 'tests', 'fixtures', 'node-bin', tool), target);
      chmodSync(target, 0o755);
    }
  };
  const flag = (tool: NodeTool, name: string, value: string | null): void => {
    const path = join(node.virshStateDir, name);
    if (value === null) {
      rmSync(path, { force: true });
      return;
    }
    if (!existsSync(join(node.dir, 'bin', tool))) install([tool]);
    writeFileSync(path, value);
  };
  return {
    /** Puts these tools first on the node's PATH. */
    install,
    /** Every large copy (`cp -p -T`, and `cp -p file folder` as the node daemon copies) pauses half-way for `seconds`. */
    slowCopies: (seconds: number | null) => flag('cp', 'slow-cp', seconds === null ? null : String(seconds)),
    /** Every large `cp -p -T` writes eight bytes in the middle wrong and says nothing, as a failing disk could. */
    corruptCopies: (on: boolean) => flag('cp', 'corrupt-cp', on ? '' : null),
    /** `mv -T -- src dst` of a source whose path contains `pattern` fails, as a failing disk would. */
    failRenames: (pattern: string | null) => flag('mv', 'fail-mv', pattern),
    /** `rm -rf -- <path>` fails, as for a busy or read-only folder. */
    failRemoval: (path: string | null) => flag('rm', 'fail-rm', path),
  };
}

export type NodeFaults = ReturnType<typeof nodeFaults>;
