import { describe, expect, it } from 'vitest';
import { defaultObjective } from '@/lib/backup/objective';
import { classifyMachine } from '@/lib/backup/status';
import type { IterationSummary } from '@/lib/ldap/backup';
import { decisiveIterations, needsStepDetails } from './fleet';

const MODES = ['finished', 'finished', 'finished', 'merging', 'snapshotting', 'unretainedSmallFiles', 'deleting', 'snapshot', 'bogus'];

/** A small deterministic generator, so a failure names a reproducible case. */
function histories(count: number): IterationSummary[][] {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 12) }, (_, i) => {
      const day = String(1 + Math.floor(next() * 28)).padStart(2, '0');
      const name = `202403${day}T0300${String(i).padStart(2, '0')}Z`;
      return {
        dn: `ou=${name}`,
        machineUuid: 'm',
        name,
        mode: MODES[Math.floor(next() * MODES.length)],
        state: next() < 0.5 ? '0' : `202403${day}T0400${String(i).padStart(2, '0')}Z`,
        returnValue: next() < 0.2 ? 11 : next() < 0.1 ? 18 : 0,
      };
    }),
  );
}

describe('the iterations that decide a status', () => {
  it('classify every history exactly as all its iterations do', () => {
    const now = new Date('2024-03-29T12:00:00Z');
    for (const [i, iterations] of histories(500).entries()) {
      const { latest, decisive } = decisiveIterations(iterations);
      const kind = i % 2 === 0 ? ('foss-cloud' as const) : ('stoney-cloud' as const);
      const input = { excluded: false, backupCandidate: true, periodMs: 86_400_000, planWarnings: [], objective: defaultObjective(86_400_000), steps: {}, now, timeZone: 'UTC', kind };
      expect(classifyMachine({ ...input, iterations: decisive })).toEqual(classifyMachine({ ...input, iterations }));
      expect(decisive.length).toBeLessThanOrEqual(2 + iterations.filter((it) => it.mode !== 'finished').length);
      expect(latest?.name ?? null).toBe([...iterations].sort((a, b) => (a.name < b.name ? 1 : -1))[0]?.name ?? null);
    }
  });
});

describe('which machines need their step times read', () => {
  const now = new Date('2024-03-29T12:00:00Z');
  const leaf = (name: string, mode: string, state = '0', returnValue = 0, modifiedAt?: string): IterationSummary => ({ dn: name, machineUuid: 'm', name, mode, state, returnValue, modifiedAt });

  it('reads them only for a timed step that has been in its mode for at least the floor', () => {
    expect(needsStepDetails([], now)).toBe(false);
    // Started 30 minutes ago: no step can be stuck yet.
    expect(needsStepDetails([leaf('20240329T113000Z', 'merging')], now)).toBe(false);
    expect(needsStepDetails([leaf('20240329T020000Z', 'merging')], now)).toBe(true);
    // modifyTimestamp says the merge began 30 minutes ago, whatever the iteration's start.
    expect(needsStepDetails([leaf('20240329T020000Z', 'merging', '0', 0, '2024-03-29T11:30:00.000Z')], now)).toBe(false);
    // A failed step is failed however long it has been there.
    expect(needsStepDetails([leaf('20200101T020000Z', 'merging', '0', 11)], now)).toBe(false);
    // Fixed limits: a prune, a wait for a decision, a command nobody acts on.
    expect(needsStepDetails([leaf('20200101T020000Z', 'deleting')], now)).toBe(false);
    expect(needsStepDetails([leaf('20200101T020000Z', 'unretainedSmallFiles', '20200105T114500Z')], now)).toBe(false);
    expect(needsStepDetails([leaf('20240329T113000Z', 'merge', '20240329T113500Z')], now)).toBe(false);
    // A restore copying the images, since unknown: its limit comes from the retain times.
    expect(needsStepDetails([leaf('20200101T020000Z', 'unretainingLargeFiles')], now)).toBe(true);
  });
});
