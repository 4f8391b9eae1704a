import type { TestProject } from 'vitest/node';
import { buildDemoDirectory, DEMO } from '../../scripts/directory/demo-directory';
import { buildOtherDirectory, OTHER } from '../../scripts/directory/other-directory';
import { startSlapd } from '../../scripts/directory/slapd';
import { startDemoNode } from '../../scripts/node/demo-node';
import type { NodeTree } from '../../scripts/node/node-tree';
import { testNodeInfo, type TestNodeInfo } from '../../scripts/node/test-node';

export interface DirectoryInfo {
  url: string;
  baseDn: string;
  rootDn: string;
  rootPassword: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    demoDirectory: DirectoryInfo;
    otherDirectory: DirectoryInfo;
    directoryBuiltAt: string;
    /** The test node (a real sshd with the virsh stand-in); both demo nodes resolve to it. */
    testNode: TestNodeInfo;
    /** What the demo node's tree holds (paths, iterations, files with sizes). */
    nodeTree: NodeTree;
    /** The console environment for the demo node (NODE_*, VIRTUALIZATION_ROOT). */
    nodeEnv: Record<string, string>;
    /** The same demo as a stoney cloud installation: one leaf per machine, older iterations as folders on its own test node. */
    stoneyDirectory: DirectoryInfo;
    stoneyNode: TestNodeInfo;
    stoneyNodeTree: NodeTree;
    stoneyNodeEnv: Record<string, string>;
  }
}

/**
 * One real slapd per directory and one test node (sshd) for the whole integration run. The
 * demo directory points into the test node's tree, so files the directory names exist there.
 */
export default async function setup(project: TestProject) {
  const now = new Date();
  const demoNode = await startDemoNode(now);
  const node = demoNode.node;
  // The stoney cloud world has its own node: its crontab starts the wrapper, and the wrapper
  // stand-in writes and prunes folders in its tree.
  const stoneyNode = await startDemoNode(now, {}, { imageBytes: 256 * 1024 }, 'stoney-cloud');
  const demo = buildDemoDirectory(now, demoNode.paths);
  const stoney = buildDemoDirectory(now, stoneyNode.paths, { kind: 'stoney-cloud' });
  const other = buildOtherDirectory(now);
  const [demoSlapd, otherSlapd, stoneySlapd] = await Promise.all([
    startSlapd({ baseDn: demo.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [demo.ldif] }),
    startSlapd({ baseDn: other.baseDn, rootDn: OTHER.rootDn, rootPassword: OTHER.rootPassword, ldif: [other.ldif] }),
    startSlapd({ baseDn: stoney.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [stoney.ldif] }),
  ]);
  const info = (s: typeof demoSlapd): DirectoryInfo => ({ url: s.url, baseDn: s.baseDn, rootDn: s.rootDn, rootPassword: s.rootPassword });
  project.provide('demoDirectory', info(demoSlapd));
  project.provide('otherDirectory', info(otherSlapd));
  project.provide('directoryBuiltAt', now.toISOString());
  project.provide('testNode', testNodeInfo(node));
  project.provide('nodeTree', demoNode.tree);
  project.provide('nodeEnv', demoNode.env);
  project.provide('stoneyDirectory', info(stoneySlapd));
  project.provide('stoneyNode', testNodeInfo(stoneyNode.node));
  project.provide('stoneyNodeTree', stoneyNode.tree);
  project.provide('stoneyNodeEnv', stoneyNode.env);
  return async () => {
    await Promise.all([demoSlapd.stop(), otherSlapd.stop(), stoneySlapd.stop(), node.stop(), stoneyNode.stop()]);
  };
}
