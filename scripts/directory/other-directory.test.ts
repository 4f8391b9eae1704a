import { EqualityFilter, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudDns } from './cloud-ldif';
import { search, value, values, withClient } from './directory-test-support';
import { buildOtherDirectory, OTHER, OTHER_SPEC } from './other-directory';
import { startSlapd, type RunningSlapd } from './slapd';

const NOW = new Date('2024-03-12T08:00:00Z');
const dns = cloudDns(OTHER.baseDn, OTHER_SPEC.network.subnet);

let slapd: RunningSlapd;

beforeAll(async () => {
  const { baseDn, ldif } = buildOtherDirectory(NOW);
  slapd = await startSlapd({ baseDn, rootDn: OTHER.rootDn, rootPassword: OTHER.rootPassword, ldif: [ldif] });
});

afterAll(async () => {
  await slapd?.stop();
});

describe('the second test directory in slapd', () => {
  it('lives under a base DN with a space and keeps awkward names intact', async () => {
    expect(slapd.baseDn).toBe('o=Stepping Stone GmbH,c=ch');
    await withClient(slapd, 'root', async (c) => {
      const machines = await search(c, dns.machines, '(objectClass=sstVirtualizationVirtualMachine)', {
        scope: 'one',
        attributes: ['sstDisplayName'],
      });
      expect(machines.map((m) => value(m, 'sstDisplayName')).sort()).toEqual(OTHER.machines.map((m) => m.name).sort());
      expect(OTHER.machines.map((m) => m.name)).toEqual(expect.arrayContaining(['Café "Zürich", Web', 'Ærø; backup $(test)']));
      const pools = await search(c, dns.pools, '(objectClass=sstVirtualMachines)', { scope: 'one', attributes: ['sstDisplayName'] });
      expect(pools.map((p) => value(p, 'sstDisplayName')).sort()).toEqual(OTHER.pools.map((p) => p.name).sort());
      // Display names are found by an escaped equality filter, as a console would search them.
      const cafe = await search(c, dns.machines, new EqualityFilter({ attribute: 'sstDisplayName', value: 'Café "Zürich", Web' }), {
        scope: 'one',
      });
      expect(cafe).toHaveLength(1);
    });
  });

  it("matches each machine's interface MAC with its DHCP reservation", async () => {
    await withClient(slapd, 'root', async (c) => {
      for (const m of OTHER.machines) {
        const [nic] = await search(c, `sstInterface=net0,ou=devices,${dns.machine(m.uuid)}`, '(objectClass=*)', { scope: 'base' });
        const [host] = await search(c, dns.dhcpHost(m.uuid), '(objectClass=*)', { scope: 'base' });
        expect(value(host, 'dhcpHWAddress'), m.name).toBe(`ethernet ${value(nic, 'sstMacAddress')}`);
      }
    });
  });

  it('signs in a login name with a space and non-ASCII letters', async () => {
    const anna = OTHER.logins.admin;
    const [person] = await withClient(slapd, 'root', (c) =>
      search(c, dns.people, new EqualityFilter({ attribute: 'cn', value: anna.login }), { scope: 'one', attributes: ['cn'] }),
    );
    expect(person?.dn).toBe(anna.dn);
    expect(value(person, 'cn')).toBe('Anna Müller');
    const roles = await withClient(slapd, { dn: anna.dn, password: anna.password }, (c) =>
      search(c, anna.dn, '(objectClass=sstRoles)', { scope: 'one', attributes: ['sstRole'] }),
    );
    expect(roles.flatMap((r) => values(r, 'sstRole'))).toEqual(['Admin Virtualization']);
    await expect(withClient(slapd, { dn: anna.dn, password: 'anna-wrong' }, async () => true)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });
});
