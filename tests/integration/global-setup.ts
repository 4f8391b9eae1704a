import type { TestProject } from 'vitest/node';
import { buildDemoDirectory, DEMO } from '../../scripts/directory/demo-directory';
import { buildOtherDirectory, OTHER } from '../../scripts/directory/other-directory';
import { startSlapd } from '../../scripts/directory/slapd';
import { startTestNode } from '../../scripts/node/test-node';

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
  }
}

/** One real slapd per directory for the whole integration run. */
export default async function setup(project: TestProject) {
  const now = new Date();
  const demo = buildDemoDirectory(now);
  const other = buildOtherDirectory(now);
  const node = await startTestNode();
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
  return async () => {
    await Promise.all([demoSlapd.stop(), otherSlapd.stop(), node.stop()]);
  };
}
