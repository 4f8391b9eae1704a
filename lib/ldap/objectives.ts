import 'server-only';
import { Attribute, Change } from 'ldapts';
import { z } from 'zod';
import type { ObjectiveSettings } from '@/lib/backup/objective';
import { one, type EntryProblem } from './entry';
import { rdn } from './escape';
import { poolDn } from './layout';
import { readEntry, searchAll, withDirectory } from './client';
import { consoleContainerDn, inConsoleContainer } from './console-container';

/**
 * Recovery point objectives the administrators set, in the console's own subtree:
 * `ou=cloud,ou=objectives,ou=backup-console,ou=services,<base>` for the whole cloud and
 * `ou=<pool uuid>,ou=objectives,…` per pool (with the pool's DN in `seeAlso`). The value is a
 * JSON object in `description`, as in the audit trail: core schema classes only.
 */
const CONTAINER = 'objectives';
export const objectivesDn = () => consoleContainerDn(CONTAINER);

export type ObjectiveScope = { level: 'cloud' } | { level: 'pool'; uuid: string };

export const objectiveDn = (scope: ObjectiveScope) => `${rdn('ou', scope.level === 'cloud' ? 'cloud' : scope.uuid.toLowerCase())},${objectivesDn()}`;

const valueSchema = z.object({ recoveryPointObjectiveSeconds: z.number().int().positive() });

function parseValue(json: string | undefined): number | null {
  if (!json) return null;
  try {
    const parsed = valueSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data.recoveryPointObjectiveSeconds * 1000 : null;
  } catch {
    return null;
  }
}

/** Every objective set, in one one-level search (a handful of entries). */
export async function readObjectiveSettings(problems: EntryProblem[]): Promise<ObjectiveSettings> {
  const entries = await searchAll('Reading the recovery point objectives', {
    base: objectivesDn(),
    scope: 'one',
    filter: '(objectClass=organizationalUnit)',
    attributes: ['ou', 'description'],
  });
  let cloudMs: number | null = null;
  const poolMs = new Map<string, number>();
  for (const entry of entries) {
    const name = (one(entry, 'ou') ?? '').toLowerCase();
    const ms = parseValue(one(entry, 'description'));
    if (ms === null) {
      problems.push({ dn: entry.dn, problem: 'description: not a recovery point objective the console wrote; ignored' });
      continue;
    }
    if (name === 'cloud') cloudMs = ms;
    else poolMs.set(name, ms);
  }
  return { cloudMs, poolMs };
}

/** The stored objective of one scope in milliseconds, or null. */
export async function readObjective(scope: ObjectiveScope): Promise<number | null> {
  const entry = await readEntry('Reading the recovery point objective', objectiveDn(scope), ['description']);
  return entry ? parseValue(one(entry, 'description')) : null;
}

/** Stores (or with null removes) a scope's objective. */
export async function writeObjective(scope: ObjectiveScope, ms: number | null): Promise<void> {
  const dn = objectiveDn(scope);
  const exists = (await readEntry('Reading the recovery point objective', dn, ['ou'])) !== null;
  if (ms === null) {
    if (!exists) return;
    await withDirectory('Removing the recovery point objective', (client) => client.del(dn));
    return;
  }
  const description = JSON.stringify({ recoveryPointObjectiveSeconds: Math.round(ms / 1000) });
  if (exists) {
    await withDirectory('Saving the recovery point objective', (client) =>
      client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: [description] }) })]),
    );
    return;
  }
  const ou = scope.level === 'cloud' ? 'cloud' : scope.uuid.toLowerCase();
  const attributes = {
    objectClass: ['top', 'organizationalUnit'],
    ou,
    description,
    ...(scope.level === 'pool' ? { seeAlso: poolDn(scope.uuid) } : {}),
  };
  await inConsoleContainer(CONTAINER, () => withDirectory('Saving the recovery point objective', (client) => client.add(dn, attributes)));
}
