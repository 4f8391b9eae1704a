import 'server-only';
import { env } from '@/lib/env';
import { isAppError } from '@/lib/errors';
import { readSchemaArc, sampleIterationLeaves } from '@/lib/ldap/installation';
import { searchNodes } from '@/lib/ldap/nodes';
import { nodesConfigured } from '@/lib/ssh';
import { readNodeSystem } from '@/lib/ssh/node-system';
import {
  decideInstallationKind,
  directoryEvidence,
  nodeEvidence,
  type InstallationDecision,
  type InstallationKind,
  type InstallationSetting,
} from './installation';
import { wrapperLines, zoneFromNode, type CrontabLine } from './node-crontab';

/**
 * The kind of installation the console applies, for every feature that needs it: the setting
 * (INSTALLATION_KIND) and what the directory and the nodes show. Reading the nodes takes an SSH
 * command each, so the answer is kept for a few minutes and shared by every page of this
 * process; `refresh` looks again at once (the Configuration page's button).
 */

export type NodeFacts =
  | {
      node: string;
      read: true;
      /** The node's system time zone as an IANA name, or null when it could not be told. */
      timeZone: string | null;
      /** What the node said, and where it was read. */
      timeZoneRaw: { raw: string; via: string } | null;
      /** Cron lines that start the stoney wrapper. */
      wrapperLines: CrontabLine[];
    }
  | { node: string; read: false; reason: string };

export type InstallationView = InstallationDecision & {
  setting: InstallationSetting;
  checkedAt: Date;
  /** Nodes looked at (none when node access is not configured). */
  nodes: NodeFacts[];
  nodesConfigured: boolean;
  /** The zone the console reads cron fields in when a node does not tell its own (NODE_TIME_ZONE). */
  configuredTimeZone: string;
};

const TTL_MS = 5 * 60_000;
/** A page waits this long for slow nodes; their answers are used when they come. */
const NODE_WAIT_MS = 8_000;

type Slot = { key: string; at: number; view: Promise<InstallationView> };
const holder = globalThis as unknown as { __consoleInstallation?: Slot };

async function readNode(node: string): Promise<NodeFacts> {
  try {
    const system = await readNodeSystem(node);
    return {
      node,
      read: true,
      timeZone: system.timeZone ? zoneFromNode(system.timeZone.raw) : null,
      timeZoneRaw: system.timeZone,
      wrapperLines: wrapperLines(system.cronTables),
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { node, read: false, reason: error.message };
  }
}

async function readNodes(): Promise<NodeFacts[]> {
  if (!nodesConfigured()) return [];
  const nodes = await searchNodes([]);
  const reads = nodes.map((n) => readNode(n.name));
  const late = (node: string): NodeFacts => ({ node, read: false, reason: `Node ${node} did not answer within ${NODE_WAIT_MS / 1000} s.` });
  return Promise.all(
    reads.map((read, i) =>
      Promise.race([read, new Promise<NodeFacts>((resolve) => setTimeout(() => resolve(late(nodes[i].name)), NODE_WAIT_MS).unref?.())]),
    ),
  );
}

async function look(setting: InstallationSetting): Promise<InstallationView> {
  const [sample, arc, nodes] = await Promise.all([sampleIterationLeaves(), readSchemaArc(), readNodes()]);
  const evidence = [
    ...directoryEvidence(sample, arc),
    ...nodeEvidence(nodes.flatMap((n) => (n.read ? [{ node: n.node, wrapperLines: n.wrapperLines }] : []))),
  ];
  return {
    ...decideInstallationKind(setting, evidence),
    setting,
    checkedAt: new Date(),
    nodes,
    nodesConfigured: nodesConfigured(),
    configuredTimeZone: env().nodeTimeZone,
  };
}

export async function readInstallation(options: { refresh?: boolean } = {}): Promise<InstallationView> {
  const { ldap, installationKind } = env();
  const key = `${ldap.url} ${ldap.baseDn} ${installationKind}`;
  const slot = holder.__consoleInstallation;
  if (!options.refresh && slot && slot.key === key && Date.now() - slot.at < TTL_MS) return slot.view;
  const view = look(installationKind);
  const next: Slot = { key, at: Date.now(), view };
  holder.__consoleInstallation = next;
  view.catch(() => {
    if (holder.__consoleInstallation === next) holder.__consoleInstallation = undefined;
  });
  return view;
}

/** The kind alone, for code that only branches on it. */
export async function installationKind(): Promise<InstallationKind> {
  return (await readInstallation()).kind;
}

/** What was read from one node, if it was looked at. */
export function nodeFacts(view: InstallationView, node: string | null): NodeFacts | null {
  if (!node) return null;
  return view.nodes.find((n) => n.node.toLowerCase() === node.toLowerCase()) ?? null;
}

/** The time zone a node's cron reads its fields in: the node's own when it told, else NODE_TIME_ZONE. */
export function nodeTimeZone(view: InstallationView, node: string | null): { zone: string; fromNode: boolean } {
  const facts = nodeFacts(view, node);
  if (facts?.read && facts.timeZone) return { zone: facts.timeZone, fromNode: true };
  return { zone: view.configuredTimeZone, fromNode: false };
}
