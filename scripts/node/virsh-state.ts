/**
 * The virsh stand-in's state (scripts/node/bin/virsh), read and written directly by tests and
 * the node tree builder: what libvirt would know about each domain, and the log of calls.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type StandInState = 'running' | 'shut off';

export interface StandInDomain {
  uuid: string;
  name: string;
  xml: string;
  state: StandInState;
  /** false: running but undefined (transient); such a domain disappears once it stops. */
  persistent: boolean;
}

export interface VirshCall {
  at: Date;
  args: string[];
}

const domainDir = (stateDir: string, uuid: string) => join(stateDir, 'domains', uuid.toLowerCase());

export function writeDomain(stateDir: string, domain: StandInDomain): void {
  const dir = domainDir(stateDir, domain.uuid);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'name'), domain.name);
  writeFileSync(join(dir, 'domain.xml'), domain.xml);
  writeFileSync(join(dir, 'state'), domain.state);
  writeFileSync(join(dir, 'persistent'), domain.persistent ? 'yes' : 'no');
  if (domain.state === 'running') writeFileSync(join(dir, 'id'), String(Math.floor(Math.random() * 90) + 10));
  else rmSync(join(dir, 'id'), { force: true });
}

/** The domain as the stand-in knows it, or null when it is not defined (nor running). */
export function readDomain(stateDir: string, uuid: string): StandInDomain | null {
  const dir = domainDir(stateDir, uuid);
  if (!existsSync(join(dir, 'name'))) return null;
  return {
    uuid: uuid.toLowerCase(),
    name: readFileSync(join(dir, 'name'), 'utf8'),
    xml: readFileSync(join(dir, 'domain.xml'), 'utf8'),
    state: readFileSync(join(dir, 'state'), 'utf8') as StandInState,
    persistent: readFileSync(join(dir, 'persistent'), 'utf8') === 'yes',
  };
}

/** Makes the guest ignore `virsh shutdown` (or obey it again), to test the bounded wait and destroy. */
export function ignoreShutdown(stateDir: string, uuid: string, ignore = true): void {
  const flag = join(domainDir(stateDir, uuid), 'ignore-shutdown');
  if (ignore) writeFileSync(flag, '');
  else rmSync(flag, { force: true });
}

/** Every virsh call on the node, oldest first; `since` keeps only calls at or after that time. */
export function readVirshCalls(stateDir: string, since?: Date): VirshCall[] {
  const file = join(stateDir, 'calls.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as { at: string; args: string[] };
      return { at: new Date(parsed.at), args: parsed.args };
    })
    .filter((call) => since === undefined || call.at.getTime() >= since.getTime() - 1);
}
