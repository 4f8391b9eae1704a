import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { browser } from '../support/next-headers';
import { demoMachine, demoPool } from '../support/demo';
import { signInAs } from '../support/sign-in';
import { TEST_SESSION_SECRET, withDirectory } from './env-setup';
import { rawAdd, rawDelete, rawEntry, rawReplace, withRawDirectory } from './raw-directory';
import { removeBackupOverrideAction, saveBackupConfigAction, setBackupExcludedAction } from '@/app/(console)/_backup/actions';
import { setMachinesExcludedAction } from '@/app/(console)/machines/actions';
import { setObjectiveAction } from '@/app/(console)/actions';
import {
  abortRestoreAction,
  confirmRestoreAction,
  resolveConflictsAction,
  retryRestoreAction,
  startRestoreAction,
} from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { GET as iterationsRoute } from '@/app/api/machines/[uuid]/iterations/route';
import { GET as restoreRoute } from '@/app/api/restore/[uuid]/[iteration]/route';
import { SESSION_ENDED } from '@/lib/actions';
import { listAudit } from '@/lib/audit';
import { currentAccess } from '@/lib/auth/access';
import { newSessionToken, sessionKeyOfToken, signedToken } from '@/lib/auth/session-token';
import { readSession, sweepExpiredSessions } from '@/lib/auth/session';
import { signOut } from '@/lib/auth/sign-in';
import { loadAuditPage } from '@/lib/inventory/audit';
import { loadBackupEditor, readBackupEditor } from '@/lib/inventory/backup-editor';
import { loadFleet } from '@/lib/inventory/fleet';
import { listMachines, parseMachineQuery } from '@/lib/inventory/machine-list';
import { loadMachine, readMachineView } from '@/lib/inventory/machine';
import { loadOverview } from '@/lib/inventory/overview';
import { loadPoolView } from '@/lib/inventory/pool';

vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

/** Rights are re-read from the directory after at most this long (CONSOLE_AUTH_CACHE_SECONDS). */
const CACHE_SECONDS = 1;
withDirectory('demoDirectory', {
  CONSOLE_ADMIN_GROUP: DEMO.adminGroupUid,
  ...DEMO.grants,
  CONSOLE_AUTH_CACHE_SECONDS: String(CACHE_SECONDS),
});

const base = () => inject('demoDirectory').baseDn;
const personDn = (uid: string) => `uid=${uid},ou=people,${base()}`;
const sessionDn = (key: string) => `ou=${key},ou=sessions,ou=backup-console,ou=services,${base()}`;
const pastTheCache = () => new Promise((resolve) => setTimeout(resolve, CACHE_SECONDS * 1000 + 200));
const keyOf = (cookie: string) => sessionKeyOfToken(TEST_SESSION_SECRET, cookie) as string;
const routeContext = (params: Record<string, string>) => ({ params: Promise.resolve(params) });
const iterationsOf = (uuid: string) =>
  iterationsRoute(new Request(`http://console.test/api/machines/${uuid}/iterations`), routeContext({ uuid }));

/** A person who exists only for one test: in the backup viewers group, optionally with a stoney role. */
async function temporaryPerson(uid: string, login: string, roles: string[] = []): Promise<{ login: string; password: string; dn: string }> {
  const dn = personDn(uid);
  const password = `${login}-secret`;
  await rawAdd(dn, {
    objectClass: ['top', 'sstPerson'],
    uid: [uid],
    cn: [login],
    givenName: ['Tess'],
    surname: ['Temporary'],
    mail: [`${login}@stoney-cloud.org`],
    preferredLanguage: ['en-GB'],
    sstTimeZoneOffset: ['+01:00'],
    userPassword: [password],
    sstGroupUID: ['4000025'],
    sstBelongsToCustomerUID: [DEMO.customerUid],
  });
  for (const role of roles) await rawAdd(`sstRole=${role},${dn}`, { objectClass: ['top', 'sstRoles'], sstRole: [role], sstProduct: ['0'] });
  return { login, password, dn };
}

async function removeSubtree(dn: string): Promise<void> {
  await withRawDirectory(async (client) => {
    const found = await client.search(dn, { scope: 'sub', attributes: ['dn'] }).catch(() => ({ searchEntries: [] }));
    for (const e of found.searchEntries.map((x) => x.dn).sort((a, b) => b.length - a.length)) await client.del(e);
  });
}

afterEach(() => {
  browser.clearCookies();
});

describe('sessions live in the directory', () => {
  it('a signed-out cookie replayed is refused: at once on this instance, within the cache time on the others', async () => {
    const cookie = await signInAs(DEMO.logins.viewer);
    expect(await currentAccess()).toMatchObject({
      person: { login: 'viewer', dn: DEMO.logins.viewer.dn },
      grants: { view: { all: true } },
    });
    const stored = await rawEntry(sessionDn(keyOf(cookie)));
    expect(stored?.seeAlso).toEqual([DEMO.logins.viewer.dn]);
    // The directory holds only a hash of the cookie's id.
    expect(JSON.stringify(stored)).not.toContain(cookie.split('.')[0]);

    await signOut();
    expect(browser.cookie()).toBeUndefined();
    expect(await rawEntry(sessionDn(keyOf(cookie)))).toBeNull();
    browser.setCookie(cookie);
    expect(await currentAccess()).toBeNull();
    expect(await setBackupExcludedAction({ level: 'machine', uuid: demoMachine('web-01').uuid, intent: 'include' })).toEqual({
      ok: false,
      error: SESSION_ENDED,
    });
    expect((await iterationsOf(demoMachine('web-01').uuid)).status).toBe(401);

    // Signed out on another console instance: the entry goes, this instance notices after its cache time.
    const second = await signInAs(DEMO.logins.viewer);
    expect(await currentAccess()).not.toBeNull();
    await rawDelete(sessionDn(keyOf(second)));
    await pastTheCache();
    expect(await currentAccess()).toBeNull();
  });

  it('refuses a validly signed cookie the console did not start, one for a person without rights, and one in the old format', async () => {
    const forged = newSessionToken(TEST_SESSION_SECRET);
    browser.setCookie(forged.token);
    expect(await currentAccess()).toBeNull();

    // A session entry for a person the directory gives no right (written as if by a console that let them in).
    const forUser = newSessionToken(TEST_SESSION_SECRET);
    const record = {
      version: 1,
      login: 'user',
      name: 'Udo User',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      address: null,
    };
    await rawAdd(sessionDn(forUser.key), {
      objectClass: ['top', 'organizationalUnit'],
      ou: [forUser.key],
      seeAlso: [DEMO.logins.user.dn],
      description: [JSON.stringify(record)],
    });
    browser.setCookie(forUser.token);
    expect(await currentAccess()).toBeNull();
    expect(await rawEntry(sessionDn(forUser.key))).toBeNull();

    // The signed JSON cookie the console used to accept, made with the right secret.
    const payload = Buffer.from(
      JSON.stringify({ dn: DEMO.logins.admin.dn, uid: '4000002', login: 'admin', name: 'Ada Admin', iat: 0, exp: 4_000_000_000 }),
    ).toString('base64url');
    browser.setCookie(signedToken(TEST_SESSION_SECRET, payload));
    expect(await currentAccess()).toBeNull();
    // Anything can be posted to an action: the session is checked before the input is.
    expect(await saveBackupConfigAction({} as Parameters<typeof saveBackupConfigAction>[0])).toEqual({ ok: false, error: SESSION_ENDED });
  });

  it("refuses a deleted person's session within the cache time, and removes it", async () => {
    const temp = await temporaryPerson('4000029', 'leaving');
    try {
      const cookie = await signInAs(temp);
      expect(await currentAccess()).toMatchObject({ person: { login: 'leaving' } });
      await removeSubtree(temp.dn);
      await pastTheCache();
      expect(await currentAccess()).toBeNull();
      expect(await rawEntry(sessionDn(keyOf(cookie)))).toBeNull();
    } finally {
      await removeSubtree(temp.dn);
    }
  });

  it('removes expired sessions: when they are used and in the periodic sweep', async () => {
    const old = (login: string) =>
      JSON.stringify({
        version: 1,
        login,
        name: login,
        createdAt: '2020-01-01T00:00:00.000Z',
        expiresAt: '2020-01-01T08:00:00.000Z',
        address: null,
      });
    const used = newSessionToken(TEST_SESSION_SECRET);
    const forgotten = newSessionToken(TEST_SESSION_SECRET);
    for (const { key } of [used, forgotten]) {
      await rawAdd(sessionDn(key), {
        objectClass: ['top', 'organizationalUnit'],
        ou: [key],
        seeAlso: [DEMO.logins.admin.dn],
        description: [old('admin')],
      });
    }
    expect(await readSession(used.key)).toBeNull();
    expect(await rawEntry(sessionDn(used.key))).toBeNull();
    const live = await signInAs(DEMO.logins.viewer);
    expect(await sweepExpiredSessions()).toBeGreaterThanOrEqual(1);
    expect(await rawEntry(sessionDn(forgotten.key))).toBeNull();
    expect(await rawEntry(sessionDn(keyOf(live)))).not.toBeNull();
  });
});

describe('rights are re-read from the directory', () => {
  it('a group removed mid-session stops its right within the cache time; with no right left, the session ends', async () => {
    const configurer = personDn(DEMO.logins.configurer.uid);
    const web = demoMachine('web-01').uuid;
    await signInAs(DEMO.logins.configurer);
    try {
      expect(await setBackupExcludedAction({ level: 'machine', uuid: web, intent: 'include' })).toMatchObject({
        ok: true,
        data: { outcome: 'unchanged' },
      });
      await rawReplace(configurer, { sstGroupUID: ['4000025'] });
      await pastTheCache();
      expect(await setBackupExcludedAction({ level: 'machine', uuid: web, intent: 'include' })).toEqual({
        ok: false,
        error:
          'Your account may not change backup configuration or exclude machines: the directory gives it no "configure" right in the backup console.',
      });
      await expect(loadBackupEditor({ level: 'machine', uuid: web })).rejects.toMatchObject({ code: 'forbidden' });
      // Seeing is still granted (by the viewers group now).
      expect((await loadFleet()).machines.length).toBe(DEMO.machines.length);

      await rawReplace(configurer, { sstGroupUID: ['4000015'] });
      await pastTheCache();
      expect(await currentAccess()).toBeNull();
      expect(await setBackupExcludedAction({ level: 'machine', uuid: web, intent: 'include' })).toEqual({
        ok: false,
        error: SESSION_ENDED,
      });
    } finally {
      await rawReplace(configurer, { sstGroupUID: ['4000026'] });
    }
  });

  it('an administrator role removed mid-session leaves only what the groups give', async () => {
    const temp = await temporaryPerson('4000029', 'demoted', ['Admin Virtualization']);
    const templates = demoMachine('tpl-windows-2022');
    try {
      await signInAs(temp);
      expect(await currentAccess()).toMatchObject({ grants: { restore: { all: true } }, grantedBy: ['role Admin Virtualization'] });
      await rawDelete(`sstRole=Admin Virtualization,${temp.dn}`);
      await pastTheCache();
      expect(await currentAccess()).toMatchObject({ grants: { view: { all: true }, restore: { all: false, pools: [] } } });
      const iteration = (await readMachineView(templates.uuid)).iterations[0].name;
      expect(await abortRestoreAction({ uuid: templates.uuid, iteration })).toEqual({
        ok: false,
        error: 'Your account may not restore machines: the directory gives it no "restore" right in the backup console.',
      });
    } finally {
      await removeSubtree(temp.dn);
    }
  });
});

type Outcome = 'allowed' | 'refused';
const refusedForRights = (result: { ok: boolean; error?: string }): Outcome =>
  !result.ok && /^Your account may not/.test(result.error ?? '') ? 'refused' : 'allowed';

/**
 * Every action, with input that gets past validation but changes nothing (stale forms, including
 * what is included, restore steps in the wrong mode): what comes back tells whether the rights
 * check let the person through.
 */
async function everyAction(): Promise<Record<string, Outcome>> {
  const web = demoMachine('web-01');
  const mail = demoMachine('mail-01');
  const production = demoPool('Production servers');
  const form = (await readBackupEditor({ level: 'machine', uuid: web.uuid })).form;
  const finished = (await readMachineView(web.uuid)).iterations.find((i) => i.mode === 'finished')?.name as string;
  const mailFinished = (await readMachineView(mail.uuid)).iterations.find((i) => i.mode === 'finished')?.name as string;
  const selection = new FormData();
  selection.set('intent', 'include');
  selection.append('uuid', web.uuid);
  const target = { uuid: web.uuid, iteration: finished };
  return {
    saveCloud: refusedForRights(await saveBackupConfigAction({ level: 'cloud', token: 'stale', ...form })),
    savePool: refusedForRights(await saveBackupConfigAction({ level: 'pool', uuid: production.uuid, token: 'stale', ...form })),
    removePool: refusedForRights(await removeBackupOverrideAction({ level: 'pool', uuid: production.uuid, token: 'stale' })),
    excludePool: refusedForRights(await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'include' })),
    saveMachine: refusedForRights(await saveBackupConfigAction({ level: 'machine', uuid: web.uuid, token: 'stale', ...form })),
    removeMachine: refusedForRights(await removeBackupOverrideAction({ level: 'machine', uuid: web.uuid, token: 'stale' })),
    excludeMachine: refusedForRights(await setBackupExcludedAction({ level: 'machine', uuid: web.uuid, intent: 'include' })),
    excludeSelection: refusedForRights(await setMachinesExcludedAction(null, selection)),
    // Empty hours: the default, which is what is set, so nothing is written.
    cloudObjective: refusedForRights(await setObjectiveAction({ hours: '' })),
    poolObjective: refusedForRights(await setObjectiveAction({ uuid: production.uuid, hours: '' })),
    startRestore: refusedForRights(await startRestoreAction({ uuid: mail.uuid, iteration: mailFinished })),
    resolve: refusedForRights(await resolveConflictsAction({ ...target, decisions: {} })),
    confirm: refusedForRights(await confirmRestoreAction(target)),
    abort: refusedForRights(await abortRestoreAction(target)),
    retry: refusedForRights(await retryRestoreAction(target)),
  };
}

const configureActions = [
  'saveCloud',
  'savePool',
  'removePool',
  'excludePool',
  'saveMachine',
  'removeMachine',
  'excludeMachine',
  'excludeSelection',
  'cloudObjective',
  'poolObjective',
];
const restoreActions = ['startRestore', 'resolve', 'confirm', 'abort', 'retry'];
const expectOutcomes = (outcomes: Record<string, Outcome>, allowed: string[]) =>
  expect(outcomes).toEqual(
    Object.fromEntries([...configureActions, ...restoreActions].map((a) => [a, allowed.includes(a) ? 'allowed' : 'refused'])),
  );

describe('each right allows exactly its actions', () => {
  it('view alone: no change and no restore', async () => {
    await signInAs(DEMO.logins.viewer);
    expectOutcomes(await everyAction(), []);
  });

  it('configure: configuration and exclusion, no restore', async () => {
    await signInAs(DEMO.logins.configurer);
    expectOutcomes(await everyAction(), configureActions);
  });

  it('restore: every restore step, no configuration and no exclusion', async () => {
    await signInAs(DEMO.logins.restorer);
    expectOutcomes(await everyAction(), restoreActions);
  });

  it('an administrator: everything', async () => {
    await signInAs(DEMO.logins.admin);
    expectOutcomes(await everyAction(), [...configureActions, ...restoreActions]);
  });

  it('the audit record names the right that was used', async () => {
    await signInAs(DEMO.logins.configurer);
    const uuid = demoMachine('db-01').uuid;
    expect(await setBackupExcludedAction({ level: 'machine', uuid, intent: 'exclude' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect(await setBackupExcludedAction({ level: 'machine', uuid, intent: 'include' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    const { records } = await listAudit({ machineUuid: uuid, limit: 2 });
    expect(records.map((r) => [r.action, r.actor.login, r.capability])).toEqual([
      ['backup.include', 'configurer', 'configure'],
      ['backup.exclude', 'configurer', 'configure'],
    ]);
  });
});

describe('a person limited to one pool', () => {
  const production = demoPool('Production servers');
  const templates = demoPool('Templates');
  const inProduction = DEMO.machines.filter((m) => m.poolUuid === production.uuid);

  it('sees only that pool and its machines on every fleet page', async () => {
    await signInAs(DEMO.logins.production);
    const fleet = await loadFleet();
    expect(fleet.pools.map((p) => p.name)).toEqual(['Production servers']);
    expect(fleet.machines.map((m) => m.name).sort()).toEqual(inProduction.map((m) => m.name).sort());
    expect((await loadOverview()).total).toBe(inProduction.length);
    const list = await listMachines(parseMachineQuery({ q: 'tpl' }));
    expect(list.total).toBe(0);
    expect(list.pools.map((p) => p.name)).toEqual(['Production servers']);
    expect((await loadAuditPage({})).pools.map((p) => p.name)).toEqual(['Production servers']);
    expect((await loadMachine(demoMachine('web-01').uuid)).machine.name).toBe('web-01');
    await expect(loadMachine(demoMachine('tpl-debian-12').uuid)).rejects.toMatchObject({
      code: 'forbidden',
      message:
        'Your account may not see tpl-debian-12: the directory gives you the "view" right only for some pools, not the one it belongs to.',
    });
    await expect(loadPoolView(templates.uuid)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('pool Templates'),
    });
    expect((await loadPoolView(production.uuid)).machines).toHaveLength(inProduction.length);
    await expect(loadBackupEditor({ level: 'machine', uuid: demoMachine('tpl-debian-12').uuid })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(loadBackupEditor({ level: 'cloud' })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('for every pool'),
    });
    expect((await loadBackupEditor({ level: 'pool', uuid: production.uuid })).name).toBe('Production servers');
  });

  it('acts only on that pool, and a mixed selection changes nothing', async () => {
    await signInAs(DEMO.logins.production);
    const web = demoMachine('web-01');
    const tpl = demoMachine('tpl-windows-2022');
    expect(await setBackupExcludedAction({ level: 'machine', uuid: web.uuid, intent: 'include' })).toMatchObject({ ok: true });
    expect(await setBackupExcludedAction({ level: 'machine', uuid: tpl.uuid, intent: 'exclude' })).toEqual({
      ok: false,
      error:
        'Your account may not change the backup configuration of tpl-windows-2022: the directory gives you the "configure" right only for some pools, not the one it belongs to.',
    });
    const before = await rawEntry(`ou=backup,sstVirtualMachine=${web.uuid},ou=virtual machines,ou=virtualization,ou=services,${base()}`);
    const selection = new FormData();
    selection.set('intent', 'exclude');
    selection.append('uuid', web.uuid);
    selection.append('uuid', tpl.uuid);
    expect(await setMachinesExcludedAction(null, selection)).toEqual({
      ok: false,
      error:
        'Your account may not change backup configuration or exclude machines for 1 of the selected machines (tpl-windows-2022): the directory gives you the "configure" right only for some pools. Nothing was changed.',
    });
    expect(await rawEntry(`ou=backup,sstVirtualMachine=${web.uuid},ou=virtual machines,ou=virtualization,ou=services,${base()}`)).toEqual(
      before,
    );
    expect(await setBackupExcludedAction({ level: 'pool', uuid: templates.uuid, intent: 'exclude' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('machines of pool Templates'),
    });
    expect(await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'include' })).toMatchObject({ ok: true });
    const iteration = (await readMachineView(tpl.uuid)).iterations[0].name;
    expect(await startRestoreAction({ uuid: tpl.uuid, iteration })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Your account may not restore tpl-windows-2022/),
    });
    expect(
      await saveBackupConfigAction({ level: 'cloud', token: 'stale', ...(await readBackupEditor({ level: 'cloud' })).form }),
    ).toMatchObject({
      ok: false,
      error: expect.stringContaining('that needs the "configure" right for every pool'),
    });
    // Recovery point objectives: its own pool's, not another pool's, not the cloud's.
    expect(await setObjectiveAction({ uuid: production.uuid, hours: '' })).toMatchObject({
      ok: true,
      data: { message: expect.stringMatching(/already the default/) },
    });
    expect(await setObjectiveAction({ uuid: templates.uuid, hours: '48' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('Templates'),
    });
    expect(await setObjectiveAction({ hours: '48' })).toMatchObject({ ok: false, error: expect.stringContaining('for every pool') });
    expect(await setObjectiveAction({ uuid: production.uuid, hours: 'soon' })).toMatchObject({
      ok: false,
      fieldErrors: { hours: expect.stringMatching(/number of hours/) },
    });
  });

  it('gets 403 from the routes for other pools, 200 for its own, 400 for bad parameters and 404 for what does not exist', async () => {
    await signInAs(DEMO.logins.production);
    const forbidden = await iterationsOf(demoMachine('tpl-debian-12').uuid);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: expect.stringMatching(/^Your account may not see tpl-debian-12/) });
    expect((await iterationsOf(demoMachine('web-01').uuid)).status).toBe(200);
    expect((await iterationsOf('x'.repeat(100))).status).toBe(400);
    expect((await iterationsOf('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const web = demoMachine('web-01').uuid;
    const restore = await restoreRoute(
      new Request(`http://console.test/api/restore/${web}/x`),
      routeContext({ uuid: web, iteration: 'x' }),
    );
    expect(restore.status).toBe(404);
    await signInAs(DEMO.logins.viewer);
    expect(
      (await restoreRoute(new Request(`http://console.test/api/restore/${web}/x`), routeContext({ uuid: web, iteration: 'x' }))).status,
    ).toBe(403);
  });
});
