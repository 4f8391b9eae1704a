import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLargeCloud, LARGE, type LargeCloud } from '../../scripts/directory/large-cloud';
import { compactUtc, type MachineSpec } from '../../scripts/directory/cloud-ldif';
import { directoryEnv, startSlapd, type RunningSlapd } from '../../scripts/directory/slapd';
import { closeDirectory } from '@/lib/ldap/client';

/**
 * A directory nobody looked after for two and a half years: merges stuck since then, prunes
 * half-way, restores abandoned in phase 1, clones without ou=backup, machines never backed up
 * with and without ou=backup. The console must count and word it truthfully, and the metrics
 * must say the same.
 */
const TOKEN = 'old-directory-metrics-token-0123456789abcdef';
let slapd: RunningSlapd;
let cloud: LargeCloud;
const now = new Date();

const pick = (story: string): MachineSpec => {
  const m = cloud.spec.machines.find((x) => x.story === story);
  if (!m) throw new Error(`the old directory has no machine whose story is ${story}`);
  return m;
};
/** "YYYY-MM-DD HH:mm" (UTC, the console's zone here) of a time `agoMs` before the directory's now. */
const minute = (agoMs: number) => new Date(Math.floor((now.getTime() - agoMs) / 1000) * 1000).toISOString().slice(0, 16).replace('T', ' ');

beforeAll(async () => {
  cloud = buildLargeCloud({
    seed: 'old-directory',
    machines: 300,
    pools: 6,
    nodes: 4,
    disksPerMachine: 1,
    iterationsPerMachine: 6,
    now,
    dataAgeYears: 2.5,
  });
  slapd = await startSlapd({ baseDn: cloud.baseDn, rootDn: LARGE.rootDn, rootPassword: LARGE.rootPassword, ldif: [cloud.ldif] });
  await closeDirectory();
  Object.assign(process.env, {
    ...directoryEnv(slapd),
    NODE_TIME_ZONE: 'UTC',
    CONSOLE_TIME_ZONE: 'UTC',
    CONSOLE_CACHE_SECONDS: '0',
    METRICS_TOKEN: TOKEN,
  });
  // The generated nodes do not exist; node checks would only wait for timeouts.
  delete process.env.NODE_SSH_PRIVATE_KEY_FILE;
  delete process.env.NODE_SSH_KNOWN_HOSTS_FILE;
});

afterAll(async () => {
  await closeDirectory();
  await slapd?.stop();
});

describe('a directory whose newest backups are two and a half years old', () => {
  it('classifies every machine as the generator intends, on both sides', async () => {
    const { readFleet } = await import('@/lib/inventory/fleet');
    const fleet = await readFleet();
    expect(fleet.problems).toEqual([]);
    const intended = new Map(cloud.spec.machines.map((m) => [m.uuid, `${m.expectedProtection} ${m.expectedActivity ?? '-'}: ${m.story}`]));
    const got = new Map(
      fleet.machines.map((m) => [m.uuid, `${m.protection} ${m.activity?.kind ?? '-'}: ${intended.get(m.uuid)?.split(': ')[1]}`]),
    );
    expect(got).toEqual(intended);
  });

  it('counts no machine as protected or running on the overview, and every pool at 0 % within its objective', async () => {
    const { readFleet } = await import('@/lib/inventory/fleet');
    const { summarizeFleet } = await import('@/lib/inventory/overview');
    const overview = summarizeFleet(await readFleet());
    // A FOSS-Cloud directory (several leaves per machine): fc-brokerd decides, nothing is blocked.
    expect(overview.kind).toBe('foss-cloud');
    expect(overview.counts).toEqual({ ...cloud.facets, blocked: 0 });
    expect(overview.counts.protected).toBe(0);
    expect(overview.counts.running).toBe(0);
    expect(overview.counts.stale).toBeGreaterThan(cloud.spec.machines.length / 2);
    expect(overview.counts.stuck).toBeGreaterThan(0);
    expect(overview.counts.never).toBeGreaterThan(0);
    expect(overview.clones).toBe(cloud.spec.machines.filter((m) => m.story === 'dynamic clone without ou=backup').length);
    // Everything stale, never backed up, failed or stuck needs attention: nothing hides.
    const attention = cloud.spec.machines.filter(
      (m) => ['stale', 'never'].includes(m.expectedProtection ?? '') || ['failed', 'stuck'].includes(m.expectedActivity ?? ''),
    );
    expect(overview.attention.map((m) => m.uuid).sort()).toEqual(attention.map((m) => m.uuid).sort());
    for (const pool of overview.pools) {
      const members = cloud.spec.machines.filter((m) => m.poolUuid === pool.uuid);
      expect(pool.machines, pool.name).toBe(members.length);
      expect(pool.counts.protected, pool.name).toBe(0);
      expect(pool.counts.stale + pool.counts.never + pool.counts.excluded, pool.name).toBe(members.length);
      expect(pool.counts.stuck, pool.name).toBe(members.filter((m) => m.expectedActivity === 'stuck').length);
    }
    // The last 30 nights: nothing good, and the nights of machines that should run are missing.
    const good = overview.nightTotals.reduce((a, t) => a + t.good + t.running, 0);
    expect(good).toBe(0);
    expect(overview.nightTotals.at(-2)?.missing).toBeGreaterThan(0);
  });

  it('words a merge stuck since then, with the limit used and what to do, the same on the list and the machine page', async () => {
    const { readFleet } = await import('@/lib/inventory/fleet');
    const { readMachineView } = await import('@/lib/inventory/machine');
    const spec = pick('a merge stuck since then');
    const stuck = spec.iterations.find((i) => i.mode === 'merging' || i.mode === 'merge');
    if (!stuck?.modifiedAgoMs) throw new Error('the stuck merge has no modifyTimestamp');
    const fleet = await readFleet();
    const listed = fleet.machines.find((m) => m.uuid === spec.uuid);
    const view = await readMachineView(spec.uuid);
    expect(view.activity?.text).toMatch(
      new RegExp(
        `^Stuck since ${minute(stuck.modifiedAgoMs)} in merge(?: \\(requested, not yet picked up by the node daemon\\))?: the backup ${compactUtc(new Date(now.getTime() - stuck.agoMs))} has been in mode ${stuck.mode} for [23] years; limit the floor of 2 hours`,
      ),
    );
    expect(view.activity?.next).toMatch(/leave that folder alone/);
    expect(view.protectionReason).toMatch(/^Last good backup [23] years ago \(\d{8}T\d{6}Z\), older than the recovery point objective/);
    expect(listed?.reason).toBe(view.reason);
    expect(listed?.status).toBe('stuck');
  });

  it('calls a half-way prune a stuck prune, not a backup in progress', async () => {
    const { readMachineView } = await import('@/lib/inventory/machine');
    const spec = pick('a prune left half-way');
    const view = await readMachineView(spec.uuid);
    expect(view.activity).toMatchObject({ kind: 'stuck', workflow: 'prune' });
    expect(view.activity?.text).toMatch(/^Stuck since \d{4}-\d{2}-\d{2} \d{2}:\d{2} in prune of an old iteration \(deleting its files\)/);
    expect(view.reason).not.toMatch(/Backup in progress/);
  });

  it('calls a restore left in phase 1 abandoned, and its iteration not finished', async () => {
    const { readMachineView } = await import('@/lib/inventory/machine');
    const { toIterationRow } = await import('@/lib/inventory/iteration-rows');
    const spec = pick('a restore abandoned in phase 1');
    const view = await readMachineView(spec.uuid);
    expect(view.activity?.text).toMatch(/in restore phase 1 \(waiting for a decision\).*counts as abandoned\.$/);
    expect(view.activity?.next).toMatch(/^Open the restore and finish it or abort it/);
    const waiting = view.iterations.find((i) => i.mode === 'unretainedSmallFiles');
    if (!waiting) throw new Error('no iteration waits in phase 1');
    const row = toIterationRow(waiting, 'foss-cloud');
    expect(row.finishedAt).toBeNull();
    expect(row.lastStepAt).not.toBeNull();
  });

  it('counts machines never backed up with and without ou=backup, and tells one story about clones', async () => {
    const { readMachineView } = await import('@/lib/inventory/machine');
    const bare = await readMachineView(pick('created then, never got an ou=backup').uuid);
    expect(bare).toMatchObject({ protection: 'never', activity: null, protectionReason: 'Never backed up: it has no iteration at all.' });
    const firstFailed = cloud.spec.machines.find((m) => m.story.startsWith('its first backup failed'));
    if (firstFailed) {
      const view = await readMachineView(firstFailed.uuid);
      expect(view).toMatchObject({
        protection: 'never',
        status: 'failed',
        protectionReason: 'Never backed up: none of its 1 iteration finished.',
      });
    }
    const clone = await readMachineView(pick('dynamic clone without ou=backup').uuid);
    expect(clone).toMatchObject({ protection: 'excluded', clone: true, activity: null });
    expect(clone.reason).toBe('Dynamic clone: it is rebuilt from its golden image, and fc-brokerd never backs clones up.');
    expect(new Set(clone.history)).toEqual(new Set(['x']));
  });

  it('refuses to write a backup configuration under a clone', async () => {
    const { setBackupExcluded } = await import('@/lib/backup/editing');
    const clone = pick('dynamic clone without ou=backup');
    const actor = { dn: LARGE.admin.dn, login: LARGE.admin.login, name: 'Ada Admin' };
    await expect(setBackupExcluded({ level: 'machine', uuid: clone.uuid }, true, actor)).rejects.toThrow(/dynamic clone/);
  });

  it('exposes the same values at /api/metrics, only with the token', async () => {
    const { GET } = await import('@/app/api/metrics/route');
    expect((await GET(new Request('http://console/api/metrics'))).status).toBe(401);
    expect(
      (await GET(new Request('http://console/api/metrics', { headers: { authorization: 'Bearer wrong-token-wrong-token-wrong-token' } })))
        .status,
    ).toBe(401);
    // It takes no parameters: anything in the query string is refused with a sentence, token or not.
    const odd = await GET(new Request('http://console/api/metrics?name[]=x', { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(odd.status).toBe(400);
    expect((await odd.json()).error).toMatch(/^The request is not valid/);
    const response = await GET(new Request('http://console/api/metrics', { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const value = (line: RegExp) => {
      const match = text.split('\n').find((l) => line.test(l));
      return match === undefined ? undefined : Number(match.slice(match.lastIndexOf(' ') + 1));
    };
    for (const [status, count] of Object.entries({ ...cloud.facets, blocked: 0 }))
      expect(value(new RegExp(`^backup_console_machines\\{status="${status}"\\} `)), status).toBe(count);
    expect(value(/^backup_console_installation_kind\{kind="foss-cloud"\} /)).toBe(1);
    const merge = pick('a merge stuck since then');
    const it = merge.iterations.find((i) => i.mode === 'merging' || i.mode === 'merge');
    expect(value(new RegExp(`^backup_console_machine_stuck_since_timestamp_seconds\\{uuid="${merge.uuid}",`))).toBe(
      Math.floor((now.getTime() - (it?.modifiedAgoMs ?? 0)) / 1000),
    );
    expect(value(new RegExp(`^backup_console_machine_status\\{uuid="${merge.uuid}",.*status="stale"\\} `))).toBe(1);
    expect(value(new RegExp(`^backup_console_machine_status\\{uuid="${merge.uuid}",.*status="stuck"\\} `))).toBe(1);
    const newestGood = Math.min(...merge.iterations.filter((i) => i.mode === 'finished').map((i) => i.stateAgoMs ?? i.agoMs));
    expect(value(new RegExp(`^backup_console_machine_last_good_backup_timestamp_seconds\\{uuid="${merge.uuid}",`))).toBe(
      Math.floor((now.getTime() - newestGood) / 1000),
    );
    const clone = pick('dynamic clone without ou=backup');
    expect(value(new RegExp(`^backup_console_machine_excluded\\{uuid="${clone.uuid}",`))).toBe(1);
    expect(value(new RegExp(`^backup_console_machine_last_good_backup_timestamp_seconds\\{uuid="${clone.uuid}",`))).toBeUndefined();
    for (const pool of cloud.spec.pools) {
      const members = cloud.spec.machines.filter((m) => m.poolUuid === pool.uuid);
      expect(value(new RegExp(`^backup_console_pool_machine_count\\{pool_uuid="${pool.uuid}",`)), pool.name).toBe(members.length);
      expect(value(new RegExp(`^backup_console_pool_machines\\{pool_uuid="${pool.uuid}",.*status="stuck"\\} `)), pool.name).toBe(
        members.filter((m) => m.expectedActivity === 'stuck').length,
      );
    }
    for (const node of cloud.spec.nodes) {
      expect(value(new RegExp(`^backup_console_node_machine_count\\{node="${node.fqdn}"\\} `)), node.fqdn).toBe(
        cloud.spec.machines.filter((m) => m.node === node.fqdn).length,
      );
    }
    expect(value(/^backup_console_directory_up /)).toBe(1);
    expect(value(/^backup_console_nodes_configured /)).toBe(0);
    expect(text).toMatch(/^backup_console_directory_errors_total\{code="directory-unavailable"\} \d+$/m);
    expect(text).toMatch(/^backup_console_process_cpu_seconds_total /m);
  });
});
