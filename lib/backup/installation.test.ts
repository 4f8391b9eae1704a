import { describe, expect, it } from 'vitest';
import { decideInstallationKind, directoryEvidence, nodeEvidence } from './installation';
import { parseCronTable, wrapperLines, zoneFromNode } from './node-crontab';

describe('the kind of installation', () => {
  it('follows INSTALLATION_KIND and names evidence for the other kind', () => {
    const evidence = nodeEvidence([{ node: 'node-01', wrapperLines: [{ source: 'crontab -l', line: '30 2 * * * LDAPKVMWrapper.pl' }] }]);
    const d = decideInstallationKind('foss-cloud', evidence);
    expect(d).toMatchObject({ kind: 'foss-cloud', by: 'setting' });
    expect(d.conflicts[0]).toMatch(/Node node-01 starts LDAPKVMWrapper.pl from cron.*stoney cloud/);
  });

  it('detects FOSS-Cloud from several leaves per machine, and stoney cloud from a node crontab', () => {
    const sample = [
      { machine: 'a', name: '20260501T030000Z', mode: 'finished' },
      { machine: 'a', name: '20260502T030000Z', mode: 'finished' },
    ];
    expect(decideInstallationKind('detect', directoryEvidence(sample, null))).toMatchObject({ kind: 'foss-cloud', by: 'evidence' });
    const stoney = nodeEvidence([{ node: 'n', wrapperLines: [{ source: 'crontab -l', line: 'x LDAPKVMWrapper' }] }]);
    expect(decideInstallationKind('detect', stoney)).toMatchObject({ kind: 'stoney-cloud', by: 'evidence' });
  });

  it('falls back to a hint, then to stoney cloud, and says it cannot tell when strong signs disagree', () => {
    expect(decideInstallationKind('detect', directoryEvidence([], '1.3.6.1.4.1.42378.1.1.62'))).toMatchObject({
      kind: 'foss-cloud',
      by: 'evidence',
    });
    expect(decideInstallationKind('detect', [])).toMatchObject({ kind: 'stoney-cloud', by: 'default' });
    const both = [
      ...directoryEvidence([{ machine: 'a', name: '20260501T030000Z', mode: 'deleted' }], null),
      ...nodeEvidence([{ node: 'n', wrapperLines: [{ source: 'crontab -l', line: 'x LDAPKVMWrapper' }] }]),
    ];
    expect(decideInstallationKind('detect', both)).toMatchObject({
      kind: 'stoney-cloud',
      by: 'default',
      reason: expect.stringMatching(/signs of both kinds/),
    });
  });

  it('takes leaf names with seconds as a hint only', () => {
    const e = directoryEvidence([{ machine: 'a', name: '20260501T023012Z', mode: 'finished' }], null);
    expect(e).toEqual([expect.objectContaining({ kind: 'stoney-cloud', strength: 'hint' })]);
  });
});

describe("a node's cron tables and time zone", () => {
  it('finds the wrapper line in a user crontab and in system tables with a user column', () => {
    const user =
      '# comment\nMAILTO=root\n30 2 * * * /usr/bin/perl /usr/libexec/prov-backup-kvm/LDAPKVMWrapper.pl -c /etc/x.conf\n0 4 * * * other\n';
    const system = '15 1 * * 1-5 root /usr/sbin/LDAPKVMWrapper.pl\n@reboot root /usr/sbin/LDAPKVMWrapper.pl\n';
    const lines = wrapperLines([
      { source: 'crontab -l', text: user },
      { source: '/etc/cron.d/backup', text: system },
    ]);
    expect(lines.map((l) => [l.source, l.plan?.minute ?? null, l.plan?.hour ?? null, l.user])).toEqual([
      ['crontab -l', '30', '2', null],
      ['/etc/cron.d/backup', '15', '1', 'root'],
      ['/etc/cron.d/backup', null, null, 'root'],
    ]);
    expect(parseCronTable('crontab -l', '@daily LDAPKVMWrapper.pl')[0].plan).toMatchObject({ minute: '0', hour: '0' });
  });

  it('reads the zone name from what the node reported', () => {
    expect(zoneFromNode('Europe/Zurich')).toBe('Europe/Zurich');
    expect(zoneFromNode('/usr/share/zoneinfo/Europe/Berlin')).toBe('Europe/Berlin');
    expect(zoneFromNode('/usr/share/zoneinfo/posix/Etc/UTC')).toBe('Etc/UTC');
    expect(zoneFromNode('not a zone')).toBeNull();
  });
});
