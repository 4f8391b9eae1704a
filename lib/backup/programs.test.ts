import { describe, expect, it } from 'vitest';
import { COMPLETE, configEntry } from '../../tests/fixtures/backup-config';
import { resolveEffectiveConfig } from './config';
import { nodeDaemonReason, programRows } from './programs';

const entry = (level: 'pool' | 'cloud', values = COMPLETE) => configEntry(level, values);

describe('programRows: the words fit the page', () => {
  const followsCloud = resolveEffectiveConfig({ machine: null, pool: null, cloud: entry('cloud', COMPLETE) });
  const followsPool = resolveEffectiveConfig({ machine: null, pool: entry('pool', COMPLETE), cloud: entry('cloud', COMPLETE) });

  it("on a machine's page the reasons speak of the machine", () => {
    const rows = programRows(followsCloud, 'node-01', 'machine');
    expect(rows.map((r) => r.reason).join(' ')).toContain('Neither the machine nor its pool');
  });

  it("on a pool's page they speak of the pool's machines, never of the machine", () => {
    for (const effective of [followsCloud, followsPool]) {
      const reasons = programRows(effective, null, 'pool').map((r) => r.reason);
      expect(reasons.join(' ')).not.toMatch(/the machine\b|The machine\b/);
      expect(reasons.join(' ')).toContain("pool's");
    }
    expect(nodeDaemonReason(followsCloud, 'pool')).toBe(
      'The pool has no backup configuration of its own, so the cloud-wide configuration applies as a whole to its machines.',
    );
    expect(programRows(followsPool, null, 'pool')[0].reason).toMatch(
      /^fc-brokerd takes the pool's ou=backup for the pool's machines without their own/,
    );
  });

  it('on the cloud-wide page they speak of the machines that follow it', () => {
    const reasons = programRows(followsCloud, null, 'cloud').map((r) => r.reason);
    expect(reasons.join(' ')).not.toMatch(/the machine\b|The machine\b/);
    expect(nodeDaemonReason(followsCloud, 'cloud')).toMatch(/^The cloud-wide ou=backup carries the backup configuration class/);
  });
});
