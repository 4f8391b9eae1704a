/**
 * The node the demo and every test suite use: one test node (real sshd, virsh stand-in) whose
 * folder tree holds the demo cloud's images and backups. Both demo nodes resolve to it through
 * NODE_ADDRESSES, as if node-01 and node-02 shared their storage (which, for
 * /var/virtualization, they do: it is a GlusterFS mount on every node).
 */
import { DEMO, DEMO_NODE_TIME_ZONE, demoSpec, type DemoKind, type DemoPaths } from '../directory/demo-directory';
import { buildNodeTree, nodeTreePaths, type NodeTree, type NodeTreeOptions } from './node-tree';
import { setNodeCrontab, setNodeTimeZone, STONEY_WRAPPER_CRONTAB } from './node-system';
import { startTestNode, type TestNode, type TestNodeOptions } from './test-node';

export interface DemoNode {
  node: TestNode;
  tree: NodeTree;
  /** Pass to buildDemoDirectory(now, paths) so the directory points into the tree. */
  paths: DemoPaths;
  /** The console's environment for this node: NODE_* and VIRTUALIZATION_ROOT. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Image sizes for the node tree (default: 2 MiB of content per image); see NodeTreeOptions. */
export type DemoImages = Pick<NodeTreeOptions, 'imageBytes' | 'imageBytesFor'>;

/**
 * `kind` stoney-cloud: the node's crontab starts the stoney wrapper every night at 02:30 and the
 * tree holds the folders of every iteration (the directory keeps only the last, see
 * buildDemoDirectory); FOSS-Cloud nodes have no such line.
 */
export async function startDemoNode(
  now: Date,
  options: TestNodeOptions = {},
  images: DemoImages = {},
  kind: DemoKind = 'foss-cloud',
): Promise<DemoNode> {
  const node = await startTestNode(options);
  try {
    const paths = nodeTreePaths(node.root);
    await setNodeTimeZone(node.systemDir, DEMO_NODE_TIME_ZONE);
    await setNodeCrontab(node.systemDir, kind === 'stoney-cloud' ? STONEY_WRAPPER_CRONTAB : null);
    const tree = await buildNodeTree({
      root: node.root,
      spec: demoSpec(paths, { kind, now }),
      now,
      virshStateDir: node.virshStateDir,
      ...images,
    });
    const env = {
      NODE_SSH_USER: node.user,
      NODE_SSH_PRIVATE_KEY_FILE: node.privateKeyPath,
      NODE_SSH_KNOWN_HOSTS_FILE: node.knownHostsPath,
      NODE_ADDRESSES: DEMO.nodes.map((n) => `${n.fqdn}=${node.host}:${node.port}`).join(','),
      VIRTUALIZATION_ROOT: paths.virtualizationRoot,
    };
    return { node, tree, paths, env, stop: () => node.stop() };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
