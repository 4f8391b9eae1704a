import 'server-only';
import { AppError } from '@/lib/errors';
import { readMachinePools } from '@/lib/ldap/machines';
import { readPool } from '@/lib/ldap/pools';
import { assertAllowed, refusalOf, requireAccess, type Access } from './access';
import { canEverywhere, CAPABILITY_VERBS, type Capability } from './capabilities';

/** What an action or route concerns: every pool ('cloud'), some machines, or a pool. */
export type ActionScope = 'cloud' | { machine: string } | { machines: string[] } | { pool: string };

/**
 * Refuses, with a sentence, an action on machines or a pool outside the person's grant for the
 * capability. Reads the machines' pools from the directory (never from the request); a person
 * whose grant covers every pool needs no read.
 */
export async function checkScope(access: Pick<Access, 'grants'>, capability: Capability, scope: ActionScope): Promise<void> {
  if (scope === 'cloud') {
    assertAllowed(access, capability, { kind: 'cloud', what: `${CAPABILITY_VERBS[capability]} for the whole cloud` });
    return;
  }
  if (canEverywhere(access.grants, capability)) return;
  if ('pool' in scope) {
    const pool = await readPool(scope.pool, []);
    if (!pool) throw new AppError('not-found', 'There is no VM pool with this UUID.');
    assertAllowed(access, capability, { kind: 'pool', name: pool.name, uuid: pool.uuid });
    return;
  }
  const uuids = 'machine' in scope ? [scope.machine] : scope.machines;
  const machines = await readMachinePools(uuids);
  if (uuids.some((u) => !machines.has(u.toLowerCase()))) {
    throw new AppError(
      'not-found',
      uuids.length === 1
        ? 'There is no machine with this UUID in the directory.'
        : 'Some of the selected machines are no longer in the directory; reload the list.',
    );
  }
  const refused = [...machines.values()].filter(
    (m) => refusalOf(access, capability, { kind: 'machine', name: m.name, pool: m.poolUuid }) !== null,
  );
  if (refused.length === 0) return;
  if (uuids.length === 1) assertAllowed(access, capability, { kind: 'machine', name: refused[0].name, pool: refused[0].poolUuid });
  const names =
    refused
      .slice(0, 5)
      .map((m) => m.name)
      .join(', ') + (refused.length > 5 ? ` and ${refused.length - 5} more` : '');
  throw new AppError(
    'forbidden',
    `Your account may not ${CAPABILITY_VERBS[capability]} for ${refused.length} of the selected machines (${names}): the directory gives you the "${capability}" right only for some pools. Nothing was changed.`,
  );
}

/** For lib/ reads about one machine: the session, the capability, and the machine's pool. */
export async function requireMachineAccess(capability: Capability, machineUuid: string): Promise<Access> {
  const access = await requireAccess(capability);
  await checkScope(access, capability, { machine: machineUuid });
  return access;
}
