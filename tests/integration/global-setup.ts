import type { TestProject } from 'vitest/node';
import { buildDemoDirectory, DEMO } from '../../scripts/directory/demo-directory';
import { buildOtherDirectory, OTHER } from '../../scripts/directory/other-directory';
import { startSlapd } from '../../scripts/directory/slapd';
import { startDemoNode } from '../../scripts/node/demo-node';
import type { NodeTree } from '../../scripts/node/node-tree';

export interface DirectoryInfo {
  url: string;
  baseDn: string;
  rootDn: string;
  rootPassword: string;
}

/** The test node (a real sshd with the virsh stand-in); both demo nodes resolve to it. */
export interface TestNodeInfo {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostsPath: string;
  hostPublicKey: string;
  root: string;
  virshStateDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    demoDirectory: DirectoryInfo;
    otherDirectory: DirectoryInfo;
    directoryBuiltAt: string;
    testNode: TestNodeInfo;
    /** What the demo node's tree holds (paths, iterations, files with sizes). */
    nodeTree: NodeTree;
    /** The console environment for the demo node (NODE_*, VIRTUALIZATION_ROOT). */
    nodeEnv: Record<string, string>;
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
  const demo = buildDemoDirectory(now, demoNode.paths);
  const other = buildOtherDirectory(now);
  const [demoSlapd, otherSlapd] = await Promise.all([
    startSlapd({ baseDn: demo.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [demo.ldif] }),
    startSlapd({ baseDn: other.baseDn, rootDn: OTHER.rootDn, rootPassword: OTHER.rootPassword, ldif: [other.ldif] }),
  ]);
  const info = (s: typeof demoSlapd): DirectoryInfo => ({ url: s.url, baseDn: s.baseDn, rootDn: s.rootDn, rootPassword: s.rootPassword });
  project.provide('demoDirectory', info(demoSlapd));
  project.provide('otherDirectory', info(otherSlapd));
  project.provide('directoryBuiltAt', now.toISOString());
  project.provide('testNode', {
    host: node.host,
    port: node.port,
    user: node.user,
    privateKeyPath: node.privateKeyPath,
    knownHostsPath: node.knownHostsPath,
    hostPublicKey: node.hostPublicKey,
    root: node.root,
    virshStateDir: node.virshStateDir,
  });
  project.provide('nodeTree', demoNode.tree);
  project.provide('nodeEnv', demoNode.env);
  return async () => {
    await Promise.all([demoSlapd.stop(), otherSlapd.stop(), node.stop()]);
  };
}
