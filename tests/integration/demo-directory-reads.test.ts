import { describe, expect, inject, it } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { readFleet } from '@/lib/inventory/fleet';
import { filterMachines, machineQuerySchema } from '@/lib/inventory/machine-list';
import { summarizeFleet } from '@/lib/inventory/overview';
import { readMachineView } from '@/lib/inventory/machine';
import { readIterationView } from '@/lib/inventory/iteration';
import { findPeopleByLogin } from '@/lib/ldap/people';
import { searchNodes } from '@/lib/ldap/nodes';

const byName = (name: string) => {
  const machine = DEMO.machines.find((m) => m.name === name);
  if (!machine) throw new Error(`demo machine ${name} missing`);
  return machine;
};

describe('the demo directory, read through lib/', () => {
  it('classifies every machine as the demo intends', async () => {
    const fleet = await readFleet();
    expect(fleet.problems).toEqual([]);
    expect(fleet.machines).toHaveLength(DEMO.machines.length);
    for (const expected of DEMO.machines) {
      const machine = fleet.machines.find((m) => m.uuid === expected.uuid);
      expect(machine, expected.name).toBeDefined();
      expect({ name: expected.name, status: machine?.status, protection: machine?.protection, activity: machine?.activity?.kind ?? null }).toEqual({
        name: expected.name,
        status: expected.status,
        protection: expected.protection,
        activity: expected.activity,
      });
    }
  });

  it('counts the overview and lists what needs attention', async () => {
    const overview = summarizeFleet(await readFleet());
    // Each status counts the machines having it on either side: a failed machine can be stale too.
    const expected = (status: string) => DEMO.machines.filter((m) => m.protection === status || m.activity === status).length;
    expect(overview.counts).toEqual({
      protected: expected('protected'),
      running: expected('running'),
      failed: expected('failed'),
      stuck: expected('stuck'),
      blocked: expected('blocked'),
      stale: expected('stale'),
      never: expected('never'),
      excluded: expected('excluded'),
    });
    expect(overview.counts.protected + overview.counts.stale + overview.counts.never + overview.counts.excluded).toBe(DEMO.machines.length);
    expect(overview.attention.map((m) => m.name).sort()).toEqual(
      DEMO.machines.filter((m) => ['stale', 'never'].includes(m.protection) || ['failed', 'stuck'].includes(m.activity ?? '')).map((m) => m.name).sort(),
    );
    expect(overview.clones).toBe(1);
    expect(overview.pools.map((p) => p.machines).reduce((a, b) => a + b, 0)).toBe(DEMO.machines.length);
  });

  it('searches and filters the machine list', async () => {
    const fleet = await readFleet();
    const query = (q: Record<string, unknown>) => filterMachines(fleet.machines, machineQuerySchema.parse({ q: '', ...q })).map((m) => m.name);
    expect(query({ q: 'WEB-0' })).toEqual(['web-01']);
    expect(query({ q: byName('db-01').uuid.slice(0, 13) })).toEqual(['db-01']);
    expect(query({ status: 'failed' })).toEqual(['mail-01']);
    const templates = DEMO.pools.find((p) => p.type === 'template');
    expect(query({ pool: templates?.uuid }).sort()).toEqual(['tpl-debian-12', 'tpl-windows-2022']);
    expect(query({ node: 'node-02.stoney-cloud.org' }).length).toBeGreaterThan(0);
    // Filter syntax typed into the search box is matched literally, never interpreted.
    expect(query({ q: '*)(sstDisplayName=*' })).toEqual([]);
  });

  it('reads a machine with its disks, DHCP reservation, iterations and the configuration that applies', async () => {
    const web = await readMachineView(byName('web-01').uuid);
    expect(web.disks.map((d) => d.target)).toEqual(['vda', 'vdb']);
    expect(web.dhcp?.mac).toBe(web.interfaces[0]?.mac);
    expect(web.iterations).toHaveLength(3);
    expect(web.iterations[0].name > web.iterations[1].name).toBe(true);
    expect(web.effective.level).toBe('cloud');
    expect(web.planText).toMatch(/03:00/);

    expect((await readMachineView(byName('db-01').uuid)).effective.level).toBe('machine');
    expect((await readMachineView(byName('tpl-windows-2022').uuid)).effective.level).toBe('pool');
    const legacy = await readMachineView(byName('Legacy ERP, Müller & Söhne').uuid);
    expect(legacy.effective.excluded).toBe(true);
    expect(legacy.machine.name).toBe('Legacy ERP, Müller & Söhne');
  });

  it('explains a failed iteration and derives the iteration folder on the node', async () => {
    const mail = await readMachineView(byName('mail-01').uuid);
    expect(mail.status).toBe('failed');
    expect(mail.reason).toMatch(/merg/i);
    const web = await readMachineView(byName('web-01').uuid);
    const view = await readIterationView(web.machine.uuid, web.iterations[0].name);
    expect(view.files.ok).toBe(true);
    if (view.files.ok) {
      const backupRoot = inject('nodeTree').backupRoot;
      expect(view.files.folder).toMatch(new RegExp(`^${backupRoot}/vm-persistent/[0-9a-f-]{36}/${web.machine.uuid}/${web.iterations[0].name}$`));
      expect(view.files.files.filter((f) => f.kind === 'disk')).toHaveLength(2);
    }
  });

  it('reports a missing machine or iteration as not found', async () => {
    await expect(readMachineView('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not-found' });
    await expect(readMachineView('not-a-uuid,ou=x')).rejects.toMatchObject({ code: 'not-found' });
    await expect(readIterationView(byName('web-01').uuid, '20000101T000000Z')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('escapes login names in filters', async () => {
    expect(await findPeopleByLogin('*')).toEqual([]);
    expect(await findPeopleByLogin('admin)(cn=*')).toEqual([]);
    expect((await findPeopleByLogin('admin')).map((p) => p.uid)).toEqual(['4000002']);
  });

  it('reads nodes with their network addresses', async () => {
    const nodes = await searchNodes([]);
    expect(nodes.map((n) => n.name)).toEqual(['node-01.stoney-cloud.org', 'node-02.stoney-cloud.org']);
    expect(nodes[0].addresses.int).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
});
