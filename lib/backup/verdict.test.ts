import { describe, expect, it } from 'vitest';
import { COMPLETE, configEntry } from '../../tests/fixtures/backup-config';
import { resolveEffectiveConfig } from './config';
import { planUnblock } from './repair';
import { backupVerdict, wrapperSkipReason, type LeafFacts } from './verdict';

const NOW = new Date('2026-05-04T12:00:00Z');
const finished = (name: string, extra: Partial<LeafFacts> = {}): LeafFacts => ({
  name,
  mode: 'finished',
  state: '20260504T003500Z',
  returnValue: 0,
  ...extra,
});
const cloud = configEntry('cloud', { ...COMPLETE, iterations: 2 });

describe("fact 7: the stoney wrapper's choice", () => {
  it('backs up a machine without ou=backup, and one whose single leaf is a finished, successful backup', () => {
    const effective = resolveEffectiveConfig({ cloud }, 'stoney-cloud');
    const machine = { type: 'persistent', subType: 'Server', node: 'node-01' };
    expect(backupVerdict({ kind: 'stoney-cloud', effective, machine, hasBackupEntry: false, leaves: [], now: NOW })).toMatchObject({
      backedUp: true,
      blocked: false,
    });
    expect(
      backupVerdict({ kind: 'stoney-cloud', effective, machine, hasBackupEntry: true, leaves: [finished('20260504T003012Z')], now: NOW })
        .backedUp,
    ).toBe(true);
  });

  it('skips every night (blocked) an ou=backup without a leaf, several leaves, a failed leaf, and a leaf with entries below', () => {
    const blocked = (leaves: LeafFacts[]) => wrapperSkipReason({ excluded: false, leaves, now: NOW });
    expect(blocked([])).toMatchObject({ blocked: true, reason: expect.stringMatching(/without an iteration leaf/) });
    expect(blocked([finished('20260503T003012Z'), finished('20260504T003012Z')])).toMatchObject({
      blocked: true,
      reason: expect.stringMatching(/2 iteration leaves/),
    });
    expect(blocked([{ name: '20260503T003012Z', mode: 'merging', state: '0', returnValue: 11 }])).toMatchObject({
      blocked: true,
      reason: expect.stringMatching(/last backup not successful/),
    });
    expect(blocked([finished('20260504T003012Z', { hasChildren: true })])).toMatchObject({
      blocked: true,
      reason: expect.stringMatching(/plain delete/),
    });
  });

  it('skips an excluded machine without calling it blocked, and lets a young running backup run', () => {
    expect(wrapperSkipReason({ excluded: true, leaves: [], now: NOW })).toMatchObject({ blocked: false });
    expect(
      wrapperSkipReason({
        excluded: false,
        leaves: [{ name: '20260504T003012Z', mode: 'snapshotting', state: '0', returnValue: 0 }],
        now: NOW,
      }),
    ).toMatchObject({ running: true, blocked: false });
  });

  it('backs up dynamic clones on stoney cloud, never on FOSS-Cloud', () => {
    const clone = { type: 'dynamic', subType: 'Desktop', node: 'node-02' };
    expect(
      backupVerdict({
        kind: 'stoney-cloud',
        effective: resolveEffectiveConfig({ cloud }, 'stoney-cloud'),
        machine: clone,
        hasBackupEntry: false,
        leaves: [],
        now: NOW,
      }).backedUp,
    ).toBe(true);
    expect(
      backupVerdict({
        kind: 'foss-cloud',
        effective: resolveEffectiveConfig({ cloud }),
        machine: clone,
        hasBackupEntry: false,
        leaves: [],
        now: NOW,
      }),
    ).toMatchObject({ backedUp: false, excluded: true });
  });
});

describe('fact 5: fc-brokerd holds back for good with more leaves than it keeps', () => {
  it('says so in its verdict', () => {
    const effective = resolveEffectiveConfig({ cloud });
    const leaves = [finished('20260501T030000Z'), finished('20260502T030000Z'), finished('20260503T030000Z')];
    const v = backupVerdict({
      kind: 'foss-cloud',
      effective,
      machine: { type: 'persistent', subType: null, node: 'n' },
      hasBackupEntry: true,
      leaves,
      now: NOW,
      broker: { refusal: null, next: NOW, failures: 0 },
    });
    expect(v).toMatchObject({ backedUp: false, reason: expect.stringMatching(/3 iteration leaves and keeps 2/) });
  });
});

describe('unblocking a stoney machine', () => {
  const leaf = (name: string, mode = 'finished', returnValue = 0) => ({
    dn: `ou=${name},ou=backup,m`,
    name,
    mode,
    state: '0',
    returnValue,
  });
  it('removes a plain ou=backup and its failed leaf, so the wrapper starts afresh', () => {
    const plan = planUnblock({
      backup: { dn: 'ou=backup,m', excluded: false, hasConfiguration: false },
      leaves: [leaf('20260503T003012Z', 'merging', 11)],
      below: [],
      now: NOW,
    });
    expect(plan).toMatchObject({ kind: 'repair', deletions: ['ou=20260503T003012Z,ou=backup,m', 'ou=backup,m'], markFinished: null });
  });

  it('keeps an ou=backup with its own configuration and marks the one leaf finished', () => {
    const plan = planUnblock({
      backup: { dn: 'ou=backup,m', excluded: false, hasConfiguration: true },
      leaves: [leaf('20260503T003012Z', 'merging', 11)],
      below: [],
      now: NOW,
    });
    expect(plan).toMatchObject({
      kind: 'repair',
      deletions: [],
      markFinished: { name: '20260503T003012Z', previousMode: 'merging', previousReturnValue: 11 },
    });
  });

  it('removes what is below a finished leaf, and the older of several leaves', () => {
    const below = [{ dn: 'ou=restore,ou=20260504T003012Z,ou=backup,m', leafDn: 'ou=20260504T003012Z,ou=backup,m' }];
    const plan = planUnblock({
      backup: { dn: 'ou=backup,m', excluded: false, hasConfiguration: true },
      leaves: [{ ...leaf('20260504T003012Z'), hasChildren: true }, leaf('20260503T003012Z')],
      below,
      now: NOW,
    });
    expect(plan).toMatchObject({
      kind: 'repair',
      deletions: ['ou=restore,ou=20260504T003012Z,ou=backup,m', 'ou=20260503T003012Z,ou=backup,m'],
      markFinished: null,
    });
  });

  it('does nothing for a machine the wrapper backs up, and refuses while a restore runs', () => {
    expect(
      planUnblock({
        backup: { dn: 'b', excluded: false, hasConfiguration: false },
        leaves: [leaf('20260504T003012Z')],
        below: [],
        now: NOW,
      }).kind,
    ).toBe('none');
    expect(
      planUnblock({
        backup: { dn: 'b', excluded: false, hasConfiguration: false },
        leaves: [leaf('20260420T003012Z', 'unretainedSmallFiles')],
        below: [],
        now: NOW,
      }).kind,
    ).toBe('refuse');
  });
});
