import { describe, expect, it } from 'vitest';
import { DAEMON_LOCK_FILE, daemonReadsDirectory, judgeNodeDaemon, parseDaemonProbe } from './node-daemon';

const NODE = 'node-01.stoney-cloud.org';
const real = '/usr/bin/perl /usr/bin/provisioning.pl -c /etc/Provisioning/Backup/KVM.conf -g /etc/Provisioning/Global.conf';

function probe(...lines: string[][]) {
  return parseDaemonProbe(lines.map((l) => l.join('\t')).join('\n'));
}

describe('finding the node daemon on a node', () => {
  it('recognises the backup daemon configured for this node', () => {
    const found = probe(
      ['process', '4242', '/etc/Provisioning/Backup/KVM.conf', real],
      ['config', '4242', 'ENVIRONMENT', 'Node-01.stoney-cloud.org'],
      ['config', '4242', 'SERVICE', 'Backup'],
      ['config', '4242', 'TYPE', 'KVM'],
      ['file', DAEMON_LOCK_FILE, '4242', 'alive'],
      ['init', '/etc/init.d/prov-backup-kvm'],
    );
    const finding = judgeNodeDaemon(found, NODE);
    expect(finding.runs).toBe(true);
    expect(finding.summary).toBe(
      `The node daemon runs on ${NODE}: process 4242 (${real}), configured in /etc/Provisioning/Backup/KVM.conf for this node.`,
    );
    expect(finding.evidence).toEqual([
      `process 4242 (${real}) uses /etc/Provisioning/Backup/KVM.conf: SERVICE Backup, TYPE KVM, ENVIRONMENT Node-01.stoney-cloud.org.`,
      `${DAEMON_LOCK_FILE} names process 4242, which runs.`,
      '/etc/init.d/prov-backup-kvm is installed.',
    ]);
  });

  it('does not count a daemon that serves another node, another provisioning module, or one it cannot read', () => {
    const elsewhere = probe(
      ['process', '7', '/etc/Provisioning/Backup/KVM.conf', real],
      ['config', '7', 'SERVICE', 'Backup'],
      ['config', '7', 'TYPE', 'KVM'],
      ['config', '7', 'ENVIRONMENT', 'node-02.stoney-cloud.org'],
    );
    expect(judgeNodeDaemon(elsewhere, NODE)).toMatchObject({
      runs: false,
      summary: expect.stringMatching(/serves node-02\.stoney-cloud\.org .* ignores the machines of node-01/),
    });
    const groupware = probe(
      ['process', '8', '/etc/Provisioning/Groupware/OX.conf', 'perl provisioning.pl -c /etc/Provisioning/Groupware/OX.conf'],
      ['config', '8', 'SERVICE', 'Groupware'],
      ['config', '8', 'TYPE', 'OX'],
    );
    expect(judgeNodeDaemon(groupware, NODE)).toMatchObject({
      runs: false,
      summary: expect.stringMatching(/^No node daemon runs on node-01/),
    });
    const unreadable = probe(
      ['process', '9', '/etc/Provisioning/Backup/KVM.conf', real],
      ['unreadable', '9', '/etc/Provisioning/Backup/KVM.conf'],
    );
    expect(judgeNodeDaemon(unreadable, NODE)).toMatchObject({
      runs: false,
      summary: expect.stringMatching(/cannot read .* set NODE_DAEMON/),
    });
    const noEnvironment = probe(
      ['process', '10', '/x/KVM.conf', real],
      ['config', '10', 'SERVICE', 'Backup'],
      ['config', '10', 'TYPE', 'KVM'],
    );
    expect(judgeNodeDaemon(noEnvironment, NODE).summary).toMatch(/sets no ENVIRONMENT/);
  });

  it('says what it found when nothing runs', () => {
    expect(judgeNodeDaemon(probe(), NODE)).toEqual({
      runs: false,
      summary: `No node daemon runs on ${NODE}: no provisioning.pl process with a Backup/KVM configuration.`,
      evidence: [],
    });
    expect(
      judgeNodeDaemon(probe(['init', '/etc/init.d/prov-backup-kvm'], ['file', '/run/prov-kvm-backup.pid', '31', 'dead']), NODE),
    ).toMatchObject({
      runs: false,
      summary: `The node daemon is installed on ${NODE} (/etc/init.d/prov-backup-kvm) but not running.`,
      evidence: ['/run/prov-kvm-backup.pid names process 31, which no longer runs.', '/etc/init.d/prov-backup-kvm is installed.'],
    });
    expect(judgeNodeDaemon(probe(['file', DAEMON_LOCK_FILE, '55', 'alive']), NODE).summary).toMatch(
      /names running process 55, but no provisioning\.pl process/,
    );
  });

  it('takes the first value of a key, as the daemon reads its configuration', () => {
    const p = probe(
      ['process', '1', '/c', 'provisioning.pl -c /c'],
      ['config', '1', 'ENVIRONMENT', 'a'],
      ['config', '1', 'ENVIRONMENT', 'b'],
    );
    expect(p.processes[0].environment).toBe('a');
  });
});

describe('the backup root as the node daemon reads it (fact 6)', () => {
  it('keeps only letters, digits, _ and /', () => {
    expect(daemonReadsDirectory('file:///var/backup/virtualization')).toBe('/var/backup/virtualization');
    expect(daemonReadsDirectory('file:///srv/vm-backup')).toBe('/srv/vm');
    expect(daemonReadsDirectory('nfs')).toBeNull();
  });
});
