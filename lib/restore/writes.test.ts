import { describe, expect, it } from 'vitest';
import { domainXml, machine, STORAGE_POOL_UUID } from '../../tests/fixtures/diff-machine';
import { copyJobs, keptName, moveProblems, plannedWrites, restoreIdOf, stagedName } from './writes';

const xml = domainXml(machine());
const iteration = '20261120T010000Z';
const stateName = `${machine().uuid}.state.${iteration}`;
const folder = `/var/virtualization/vm-persistent/${STORAGE_POOL_UUID}`;

describe('what phase 2 writes', () => {
  it('console-driven: copies only the saved state into the retain folder, stages each image beside its live image and keeps the live one beside it', () => {
    const { writes, problems } = plannedWrites({
      backupXml: xml,
      resolvedXml: xml,
      iteration,
      stateName,
      staging: { restoreId: '20261129T153412.345Z' },
    });
    expect(problems).toEqual([]);
    expect(writes.staging).toBe('beside-live-image');
    expect(writes.copies).toEqual([stateName]);
    expect(writes.moves.map((m) => m.target)).toEqual(['vda', 'vdb']);
    for (const m of writes.moves) {
      expect(m.staged).toBe(`${m.destination}.restoring-20261129T153412.345Z`);
      expect(m.kept).toBe(`${m.destination}.before-restore-20261129T153412.345Z`);
    }
    expect(copyJobs(writes).map((j) => [j.name, j.staged])).toEqual([[stateName, null], ...writes.moves.map((m) => [m.file, m.staged])]);
    expect(moveProblems(writes.moves, { virtualizationRoot: '/var/virtualization', imageFolders: [folder] })).toEqual([]);
  });

  it('daemon-driven and older plans: every image into the retain folder, moved over the live one, nothing kept', () => {
    const { writes } = plannedWrites({ backupXml: xml, resolvedXml: xml, iteration, stateName });
    expect(writes.staging).toBeUndefined();
    expect(writes.copies).toHaveLength(3);
    expect(writes.moves.every((m) => m.staged === undefined && m.kept === undefined)).toBe(true);
    expect(copyJobs(writes).every((j) => j.staged === null)).toBe(true);
  });

  it('refuses a copy or kept name outside the live image folder, or longer than a file name may be', () => {
    const { writes } = plannedWrites({
      backupXml: xml,
      resolvedXml: xml,
      iteration,
      stateName,
      staging: { restoreId: '20261129T153412.345Z' },
    });
    const elsewhere = writes.moves.map((m, i) => (i === 0 ? { ...m, kept: '/var/virtualization/other/x.qcow2' } : m));
    expect(moveProblems(elsewhere, { virtualizationRoot: '/var/virtualization', imageFolders: [folder] }).map((p) => p.target)).toEqual([
      'vda',
    ]);
    const long = `${folder}/${'x'.repeat(230)}.qcow2`;
    const tooLong = [
      {
        target: 'vda',
        file: 'x',
        destination: long,
        staged: stagedName(long, '20261129T153412.345Z'),
        kept: keptName(long, '20261129T153412.345Z'),
      },
    ];
    expect(moveProblems(tooLong, { virtualizationRoot: '/var/virtualization', imageFolders: [folder] })[0]?.problem).toMatch(/255 bytes/);
  });

  it('names a restore by its start, to the millisecond, in UTC, so that a restore started again within a second gets names of its own', () => {
    expect(restoreIdOf('2026-11-29T15:34:12.345Z')).toBe('20261129T153412.345Z');
  });
});
