import { readFileSync } from 'node:fs';
import type { NodeTree } from '../scripts/node/node-tree';

/** What e2e/global-setup.ts started: the demo node's sshd and the files in its tree. */
export function demoNode(): { host: string; port: number; tree: NodeTree } {
  return JSON.parse(readFileSync('test-results/e2e-state/node.json', 'utf8')) as { host: string; port: number; tree: NodeTree };
}
