import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EqualityFilter, InvalidCredentialsError, NoSuchObjectError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudDns, compactUtc, HOUR } from './cloud-ldif';
import { buildDemoDirectory, DEMO, DEMO_SPEC } from './demo-directory';
import { search, value, values, withClient } from './directory-test-support';
import { startSlapd, type RunningSlapd } from './slapd';

const NOW = new Date('2024-03-12T08:00:00Z');
const dns = cloudDns(DEMO.baseDn, DEMO_SPEC.network.subnet);

let slapd: RunningSlapd;

beforeAll(async () => {
  const { baseDn, ldif } = buildDemoDirectory(NOW);
  slapd = await startSlapd({ baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [ldif] });
});

afterAll(async () => {
  await slapd?.stop();
});

describe('the demo LDIF generator', () => {
  it('is deterministic for a given time and follows it', () => {
    expect(buildDemoDirectory(NOW).ldif).toBe(buildDemoDirectory(new Date(NOW)).ldif);
    expect(buildDemoDirectory(new Date(NOW.getTime() + HOUR)).ldif).not.toBe(buildDemoDirectory(NOW).ldif);
  });
});

describe('the demo directory in slapd', () => {
  it('holds the eleven machines with their display names', async () => {
    const machines = await withClient(slapd, 'root', (c) =>
      search(c, dns.machines, '(objectClass=sstVirtualizationVirtualMachine)', { scope: 'one', attributes: ['sstVirtualMachine', 'sstDisplayName'] }),
    );
    expect(machines).toHaveLength(11);
    const byUuid = new Map(machines.map((m) => [value(m, 'sstVirtualMachine'), value(m, 'sstDisplayName')]));
    for (const m of DEMO.machines) expect(byUuid.get(m.uuid), m.name).toBe(m.name);
    expect(byUuid.get(DEMO.machines.find((m) => m.status === 'excluded')?.uuid ?? '')).toBe('Legacy ERP, Müller & Söhne');
  });

  it('gives every machine a DHCP reservation with its interface MAC and a unique fixed address', async () => {
    const seen = new Set<string>();
    await withClient(slapd, 'root', async (c) => {
      for (const m of DEMO.machines) {
        const [nic] = await search(c, `sstInterface=net0,ou=devices,${dns.machine(m.uuid)}`, '(objectClass=*)', { scope: 'base' });
        const [host] = await search(c, dns.dhcpHost(m.uuid), '(objectClass=dhcpHost)', { scope: 'base' });
        const mac = value(nic, 'sstMacAddress');
        expect(mac, m.name).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
        expect(value(host, 'dhcpHWAddress'), m.name).toBe(`ethernet ${mac}`);
        const ip = /^fixed-address (\S+)$/.exec(value(host, 'dhcpStatements') ?? '')?.[1];
        expect(ip, m.name).toMatch(/^10\.1\.130\.\d+$/);
        expect(seen.has(ip ?? ''), `${m.name} ${ip}`).toBe(false);
        seen.add(ip ?? '');
        // The daemon finds the reservation by cn under config-01; it must be unique.
        expect(await search(c, dns.dhcpConfig, new EqualityFilter({ attribute: 'cn', value: m.uuid }), { attributes: ['1.1'] })).toHaveLength(1);
      }
    });
  });

  it('points every disk at the storage pool of the machine\'s pool', async () => {
    await withClient(slapd, 'root', async (c) => {
      for (const m of DEMO.machines) {
        const pool = DEMO.pools.find((p) => p.uuid === m.poolUuid);
        const sp = DEMO.storagePools.find((s) => s.uuid === pool?.storagePoolUuid);
        const disks = await search(c, `ou=devices,${dns.machine(m.uuid)}`, '(&(objectClass=sstVirtualizationVirtualMachineDisk)(sstDevice=disk))', { scope: 'one' });
        expect(disks.length, m.name).toBeGreaterThan(0);
        for (const d of disks) {
          expect(value(d, 'sstSourceFile')).toBe(`/var/virtualization/${sp?.directory}/${sp?.uuid}/${value(d, 'sstVolumeName')}.qcow2`);
        }
      }
    });
  });

  it('lets the three logins bind with their passwords and refuses a wrong one', async () => {
    for (const login of Object.values(DEMO.logins)) {
      const [person] = await withClient(slapd, 'root', (c) =>
        search(c, dns.people, new EqualityFilter({ attribute: 'cn', value: login.login }), { scope: 'one', attributes: ['uid'] }),
      );
      expect(person?.dn).toBe(login.dn);
      await expect(withClient(slapd, { dn: login.dn, password: login.password }, async () => true)).resolves.toBe(true);
      await expect(withClient(slapd, { dn: login.dn, password: `${login.password}x` }, async () => true)).rejects.toBeInstanceOf(InvalidCredentialsError);
    }
  });

  it('models administrators as the console expects', async () => {
    await withClient(slapd, 'root', async (c) => {
      const roles = async (dn: string): Promise<string[]> =>
        (await search(c, dn, '(objectClass=sstRoles)', { scope: 'one', attributes: ['sstRole'] })).flatMap((e) => values(e, 'sstRole'));
      expect(await roles(DEMO.logins.admin.dn)).toEqual(['Admin Virtualization']);
      expect(await roles(DEMO.logins.user.dn)).toEqual(['User']);
      expect(await roles(DEMO.logins.operator.dn)).toEqual(['User']);
      const [operator] = await search(c, DEMO.logins.operator.dn, '(objectClass=*)', { scope: 'base', attributes: ['sstGroupUID'] });
      expect(values(operator, 'sstGroupUID')).toEqual([DEMO.adminGroupUid]);
      const [group] = await search(c, dns.group(DEMO.adminGroupUid), '(objectClass=sstGroupObjectClass)', { scope: 'base' });
      expect(value(group, 'sstGroupName')).toBe('backup-operators');
    });
  });

  it('hides passwords and everything else from anonymous and other users', async () => {
    const asUser = { dn: DEMO.logins.user.dn, password: DEMO.logins.user.password };
    const [admin] = await withClient(slapd, asUser, (c) => search(c, DEMO.logins.admin.dn, '(objectClass=*)', { scope: 'base', attributes: ['*'] }));
    expect(value(admin, 'cn')).toBe('admin');
    expect(values(admin, 'userPassword')).toEqual([]);
    // Without read access slapd does not even disclose that the base exists.
    await expect(withClient(slapd, 'anonymous', (c) => search(c, DEMO.baseDn, '(objectClass=*)', { attributes: ['1.1'] }))).rejects.toBeInstanceOf(
      NoSuchObjectError,
    );
  });

  it('has no equality rule on the backup booleans and cron fields: filters never match, reads work', async () => {
    const legacy = DEMO.machines.find((m) => m.status === 'excluded');
    await withClient(slapd, 'root', async (c) => {
      expect(await search(c, DEMO.baseDn, '(sstBackupExcludeFromBackup=TRUE)', { attributes: ['1.1'] })).toEqual([]);
      expect(await search(c, DEMO.baseDn, '(sstCronActive=TRUE)', { attributes: ['1.1'] })).toEqual([]);
      expect(await search(c, DEMO.baseDn, '(sstCronHour=3)', { attributes: ['1.1'] })).toEqual([]);
      const [backup] = await search(c, `ou=backup,${dns.machine(legacy?.uuid ?? '')}`, '(objectClass=*)', { scope: 'base' });
      expect(value(backup, 'sstBackupExcludeFromBackup')).toBe('TRUE');
      // Presence filters do not need a matching rule, so this is how a client narrows a search.
      expect(await search(c, DEMO.baseDn, '(sstBackupExcludeFromBackup=*)', { attributes: ['1.1'] })).toHaveLength(1);
    });
  });

  it('carries a complete, active cloud-wide backup plan', async () => {
    const [plan] = await withClient(slapd, 'root', (c) => search(c, dns.globalBackup, '(objectClass=*)', { scope: 'base' }));
    expect(values(plan, 'objectClass').sort()).toEqual(['organizationalUnit', 'sstCronObjectClass', 'sstVirtualizationBackupObjectClass', 'top']);
    expect({
      minute: value(plan, 'sstCronMinute'),
      hour: value(plan, 'sstCronHour'),
      day: value(plan, 'sstCronDay'),
      month: value(plan, 'sstCronMonth'),
      dayOfWeek: value(plan, 'sstCronDayOfWeek'),
      active: value(plan, 'sstCronActive'),
      iterations: value(plan, 'sstBackupNumberOfIterations'),
      root: value(plan, 'sstBackupRootDirectory'),
      retain: value(plan, 'sstBackupRetainDirectory'),
      ramDisk: value(plan, 'sstBackupRamDiskLocation'),
    }).toEqual({
      minute: '0', hour: '3', day: '*', month: '*', dayOfWeek: '*', active: 'TRUE', iterations: '3',
      root: 'file:///var/backup/virtualization', retain: 'file:///var/virtualization/retain', ramDisk: 'file:///var/cache/kvmbackup',
    });
  });

  it('names iterations after their UTC start relative to now', async () => {
    const web = DEMO.machines.find((m) => m.name === 'web-01');
    const mail = DEMO.machines.find((m) => m.name === 'mail-01');
    await withClient(slapd, 'root', async (c) => {
      const leaves = await search(c, `ou=backup,${dns.machine(web?.uuid ?? '')}`, '(objectClass=sstProvisioning)', { scope: 'one' });
      expect(leaves.map((l) => value(l, 'ou')).sort()).toEqual(
        [68, 44, 20].map((h) => compactUtc(new Date(NOW.getTime() - h * HOUR))),
      );
      expect(new Set(leaves.map((l) => value(l, 'sstProvisioningMode')))).toEqual(new Set(['finished']));
      const stuck = await search(c, `ou=backup,${dns.machine(mail?.uuid ?? '')}`, '(sstProvisioningMode=merging)', { scope: 'one' });
      expect(stuck.map((l) => [value(l, 'ou'), value(l, 'sstProvisioningReturnValue'), value(l, 'sstProvisioningState')])).toEqual([
        [compactUtc(new Date(NOW.getTime() - 20 * HOUR)), '11', '0'],
      ]);
    });
  });
});

describe('startSlapd', () => {
  it('reports slapadd\'s reason when the LDIF does not fit the schema', async () => {
    const bad = `dn: ${DEMO.baseDn}\nobjectClass: top\nobjectClass: organization\no: demo\nsstNoSuchAttribute: x\n`;
    await expect(startSlapd({ baseDn: DEMO.baseDn, rootDn: DEMO.rootDn, rootPassword: 'x', ldif: [bad] })).rejects.toThrow(/slapadd[\s\S]*sstNoSuchAttribute/);
  });

  it('keeps a folder it was given and removes the ones it made', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slapd-keep-'));
    try {
      const tiny = `dn: ${DEMO.baseDn}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\ndc: stoney-cloud\no: demo\n`;
      const kept = await startSlapd({ dir, baseDn: DEMO.baseDn, rootDn: DEMO.rootDn, rootPassword: 'x', ldif: [tiny] });
      await kept.stop();
      expect(await readdir(dir)).toContain('slapd.conf');
      const temporary = await startSlapd({ baseDn: DEMO.baseDn, rootDn: DEMO.rootDn, rootPassword: 'x', ldif: [tiny] });
      await temporary.stop();
      expect(existsSync(temporary.dir)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
