import 'server-only';
import { AppError } from '@/lib/errors';
import { CommandFailedError } from './errors';
import { assertSafePath } from './paths';
import { runOnNode, type RunOptions } from './run';
import { nodeSshSettings } from './settings';

/**
 * libvirt on a node through `virsh`. Always against qemu:///system, the URI the node daemon
 * uses: without -c, a node user other than root would talk to its own qemu:///session and
 * see no machines at all. Domains are named by the machine UUID in a stoney cloud, and only
 * UUIDs are accepted here.
 */
const URI = 'qemu:///system';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type DomainState = 'running' | 'shut off' | 'paused' | 'undefined' | (string & {});

type Options = Pick<RunOptions, 'signal' | 'timeoutMs'>;

function assertDomain(domain: string): string {
  if (typeof domain !== 'string' || !uuid.test(domain))
    throw new AppError('invalid-input', `${JSON.stringify(domain)} is not a machine UUID.`);
  return domain;
}

/** libvirt jobs can take longer than an SSH round trip: at least 2 minutes by default. */
function defaultTimeout(): number {
  return Math.max(nodeSshSettings().timeoutMs, 120_000);
}

async function virsh(node: string, args: string[], what: string, options: Options = {}): Promise<string> {
  const argv = ['virsh', '-c', URI, ...args];
  const result = await runOnNode(node, argv, { timeoutMs: options.timeoutMs ?? defaultTimeout(), signal: options.signal });
  if (result.code !== 0) throw new CommandFailedError({ node, what, exitCode: result.code, stderr: result.stderr, argv });
  return result.stdout;
}

function isUnknownDomain(stderr: string): boolean {
  return /failed to get domain|Domain not found/i.test(stderr);
}

/** `virsh domstate`: 'running', 'shut off', 'paused', …, or 'undefined' when libvirt does not know the domain. */
export async function domainState(node: string, domain: string, options: Options = {}): Promise<DomainState> {
  const argv = ['virsh', '-c', URI, 'domstate', assertDomain(domain)];
  const result = await runOnNode(node, argv, { timeoutMs: options.timeoutMs, signal: options.signal });
  if (result.code !== 0) {
    if (isUnknownDomain(result.stderr)) return 'undefined';
    throw new CommandFailedError({ node, what: `Reading the state of ${domain}`, exitCode: result.code, stderr: result.stderr, argv });
  }
  return result.stdout.trim().split('\n')[0]?.trim() ?? '';
}

/** The live domain XML (`virsh dumpxml`); `inactive` gives the persistent definition instead. */
export async function dumpXml(node: string, domain: string, options: Options & { inactive?: boolean } = {}): Promise<string> {
  return virsh(
    node,
    ['dumpxml', ...(options.inactive ? ['--inactive'] : []), assertDomain(domain)],
    `Reading the domain XML of ${domain}`,
    options,
  );
}

/** Asks the guest to shut down (ACPI) and returns at once; see `waitForDomainState`. */
export async function shutdown(node: string, domain: string, options: Options = {}): Promise<void> {
  await virsh(node, ['shutdown', assertDomain(domain)], `Shutting down ${domain}`, options);
}

/** Stops the domain immediately (power off). */
export async function destroy(node: string, domain: string, options: Options = {}): Promise<void> {
  await virsh(node, ['destroy', assertDomain(domain)], `Stopping ${domain}`, options);
}

/** Removes the definition; never with --remove-all-storage (the images are the restore's business). */
export async function undefine(node: string, domain: string, options: Options = {}): Promise<void> {
  await virsh(node, ['undefine', assertDomain(domain)], `Undefining ${domain}`, options);
}

/** Defines (or redefines) a domain from an XML file on the node. */
export async function define(node: string, xmlPath: string, options: Options = {}): Promise<void> {
  await virsh(node, ['define', assertSafePath(xmlPath)], `Defining the domain from ${xmlPath}`, options);
}

export async function start(node: string, domain: string, options: Options = {}): Promise<void> {
  await virsh(node, ['start', assertDomain(domain)], `Starting ${domain}`, options);
}

/** `virsh restore <state> --xml <xml>`: resumes the saved machine state with the given domain XML. */
export async function restore(node: string, statePath: string, xmlPath: string, options: Options = {}): Promise<void> {
  await virsh(
    node,
    ['restore', assertSafePath(statePath), '--xml', assertSafePath(xmlPath)],
    `Restoring the machine state from ${statePath}`,
    {
      ...options,
      timeoutMs: options.timeoutMs ?? Math.max(defaultTimeout(), 600_000),
    },
  );
}

export interface DomainListing {
  id: number | null;
  name: string;
  state: DomainState;
}

/** `virsh list --all`. */
export async function listDomains(node: string, options: Options = {}): Promise<DomainListing[]> {
  const out = await virsh(node, ['list', '--all'], 'Listing the domains', options);
  return out
    .split('\n')
    .slice(2)
    .map((line) => /^\s*(\d+|-)\s+(\S+)\s+(.+?)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ id: m[1] === '-' ? null : Number(m[1]), name: m[2], state: m[3] }));
}

/**
 * Polls `domstate` until the domain is in one of `wanted` or `timeoutMs` has passed (the
 * bounded wait after `shutdown`). Returns the last state seen; the caller compares it.
 */
export async function waitForDomainState(
  node: string,
  domain: string,
  wanted: readonly DomainState[],
  options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<DomainState> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const state = await domainState(node, domain, { signal: options.signal });
    if (wanted.includes(state) || Date.now() >= deadline) return state;
    if (options.signal?.aborted) throw new AppError('command-aborted', `Waiting for ${domain} was cancelled.`);
    await new Promise((r) => setTimeout(r, Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now()))));
  }
}
