import { describe, expect, it } from 'vitest';
import {
  BACKUP_MODE_SEQUENCE,
  KNOWN_MODES,
  RESTORE_MODE_SEQUENCE,
  canonicalMode,
  describeMode,
  isBackupMode,
  isPruneMode,
  isRestoreMode,
} from './modes';

/**
 * Each step's command, working and done word, as the spec names them (shared/spec/directory.md,
 * "Mode vocabulary"; export and commit from restore-protocol.md).
 */
const STEPS = {
  snapshot: ['snapshot', 'snapshotting', 'snapshotted'],
  merge: ['merge', 'merging', 'merged'],
  retain: ['retain', 'retaining', 'retained'],
  delete: ['delete', 'deleting', 'deleted'],
  export: ['export', 'exporting', 'exported'],
  commit: ['commit', 'committing', 'committed'],
  unretainSmallFiles: ['unretainSmallFiles', 'unretainingSmallFiles', 'unretainedSmallFiles'],
  unretainLargeFiles: ['unretainLargeFiles', 'unretainingLargeFiles', 'unretainedLargeFiles'],
  restore: ['restore', 'restoring', 'restored'],
};

/** Every mode of the spec: the steps', the leaf's first and last word, the unimplemented cleanup, and the wiki's misspelling. */
const SPEC_MODES = ['initialized', ...Object.values(STEPS).flat(), 'finished', 'cleanup', 'cleaningUp', 'comitted'];

describe('describeMode', () => {
  it('knows every mode of the spec, with a label, meaning and next actor', () => {
    for (const mode of SPEC_MODES) {
      const info = describeMode(mode);
      expect(info.known, mode).toBe(true);
      expect(info.mode).toBe(mode);
      expect(info.label).not.toBe('');
      expect(info.meaning).toMatch(/^[A-Z].*\.$/);
      expect(info.nextActor).toMatch(/^[A-Z].*\.$/);
      expect(`${info.label} ${info.meaning} ${info.nextActor}`).not.toMatch(/sst[A-Z]/);
    }
    expect(KNOWN_MODES).toEqual(expect.arrayContaining(SPEC_MODES));
  });

  it('classifies command, working, done and finished modes', () => {
    expect(describeMode('merge')).toMatchObject({ workflow: 'backup', kind: 'command', label: 'Merge requested' });
    expect(describeMode('merging')).toMatchObject({
      workflow: 'backup',
      kind: 'working',
      label: 'Merging',
      meaning: 'The node daemon is merging the disk images (block pull).',
    });
    expect(describeMode('merge').nextActor).toBe('The node daemon picks up the command and starts the merge.');
    expect(describeMode('merged')).toMatchObject({ kind: 'done' });
    expect(describeMode('finished')).toMatchObject({ workflow: 'done', kind: 'finished' });
    expect(describeMode('deleting')).toMatchObject({ workflow: 'prune', kind: 'working' });
    expect(describeMode('unretainedSmallFiles')).toMatchObject({ workflow: 'restore', kind: 'done', label: 'Waiting for the user' });
    expect(describeMode('exporting')).toMatchObject({ workflow: 'export', kind: 'working' });
  });

  it('reads the misspelt commit modes and ignores letter case', () => {
    expect(describeMode('comitted')).toMatchObject({ mode: 'comitted', known: true, label: 'Committed' });
    expect(describeMode('comitting')).toMatchObject({ known: true, label: 'Committing' });
    expect(describeMode('Finished')).toMatchObject({ known: true, kind: 'finished' });
    expect(canonicalMode('UNRETAINSMALLFILES')).toBe('unretainSmallFiles');
    expect(canonicalMode('bogus')).toBeNull();
  });

  it('explains unknown and empty modes', () => {
    expect(describeMode('paused')).toEqual({
      mode: 'paused',
      known: false,
      workflow: 'unknown',
      kind: 'command',
      label: 'paused',
      meaning: "'paused' is not a mode the console knows.",
      nextActor: 'No daemon advances it; an administrator must check the iteration.',
    });
    expect(describeMode('')).toMatchObject({ known: false, label: 'No mode', meaning: 'The iteration has no mode.' });
  });
});

describe('mode sequences and predicates', () => {
  it('orders the restore modes as the protocol does', () => {
    expect(RESTORE_MODE_SEQUENCE).toEqual([...STEPS.unretainSmallFiles, ...STEPS.unretainLargeFiles, ...STEPS.restore, 'finished']);
    expect(BACKUP_MODE_SEQUENCE[BACKUP_MODE_SEQUENCE.length - 1]).toBe('finished');
  });

  it('tells restore, backup and prune modes apart', () => {
    expect(isRestoreMode('restoring')).toBe(true);
    expect(isRestoreMode('unretainLargeFiles')).toBe(true);
    expect(isRestoreMode('cleanup')).toBe(true);
    expect(isRestoreMode('finished')).toBe(false);
    expect(isRestoreMode('merging')).toBe(false);
    expect(isBackupMode('snapshot')).toBe(true);
    expect(isBackupMode('initialized')).toBe(true);
    expect(isBackupMode('committing')).toBe(true);
    expect(isBackupMode('finished')).toBe(false);
    expect(isBackupMode('restore')).toBe(false);
    expect(isBackupMode('deleting')).toBe(false);
    expect(isPruneMode('deleting')).toBe(true);
  });
});
