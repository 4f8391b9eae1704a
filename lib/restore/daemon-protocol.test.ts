import { describe, expect, it } from 'vitest';
import { commandFor, describeDaemonFailure, readDaemonAnswer } from './daemon-protocol';

const at = (mode: string, state: string, returnValue: number | null = 0) => ({ mode, state, returnValue });

describe("reading the node daemon's answer", () => {
  it('follows a command through the daemon’s modes', () => {
    expect(readDaemonAnswer('unretainLargeFiles', at('unretainLargeFiles', '0'))).toEqual({ kind: 'pending' });
    expect(readDaemonAnswer('unretainLargeFiles', at('unretainingLargeFiles', '0'))).toEqual({ kind: 'working' });
    // The "-ed" mode is written before the return value and the state: done only once the state timestamp is there.
    expect(readDaemonAnswer('unretainLargeFiles', at('unretainedLargeFiles', '0'))).toEqual({ kind: 'working' });
    expect(readDaemonAnswer('unretainLargeFiles', at('unretainedLargeFiles', '20261122T101500Z'))).toEqual({
      kind: 'done',
      returnValue: 0,
      note: null,
    });
  });

  it('reads a failure from the return value the daemon leaves on its working mode', () => {
    expect(readDaemonAnswer('unretainLargeFiles', at('unretainingLargeFiles', '0', 38))).toEqual({ kind: 'failed', returnValue: 38 });
    expect(readDaemonAnswer('restore', at('restore', '0', 17))).toEqual({ kind: 'failed', returnValue: 17 });
    expect(readDaemonAnswer('restore', at('restored', '0', 21))).toEqual({ kind: 'failed', returnValue: 21 });
  });

  it('takes the stepping-stone daemon’s 18 after its "-ed" mode, and 46 after a restore, as success', () => {
    expect(readDaemonAnswer('unretainSmallFiles', at('unretainedSmallFiles', '20261122T101500Z', 18))).toMatchObject({
      kind: 'done',
      returnValue: 18,
    });
    expect(readDaemonAnswer('restore', at('restored', '0', 46))).toMatchObject({ kind: 'done', returnValue: 46 });
    expect(readDaemonAnswer('unretainSmallFiles', at('unretainingSmallFiles', '0', 18))).toEqual({ kind: 'failed', returnValue: 18 });
  });

  it('tells a command that is not (or no longer) one, and a move by someone else', () => {
    expect(readDaemonAnswer('unretainSmallFiles', at('unretainSmallFiles', '20261122T101500Z'))).toEqual({
      kind: 'not-issued',
      returnValue: 0,
    });
    expect(readDaemonAnswer('unretainSmallFiles', at('unretainSmallFiles', '20261122T101500Z', 901))).toEqual({
      kind: 'not-issued',
      returnValue: 901,
    });
    expect(readDaemonAnswer('unretainLargeFiles', at('restore', '0'))).toEqual({ kind: 'moved', mode: 'restore' });
    expect(readDaemonAnswer('restore', at('finished', '20261122T101500Z'))).toEqual({ kind: 'moved', mode: 'finished' });
  });

  it('knows which command a mode belongs to', () => {
    expect(commandFor('unretainingSmallFiles')).toBe('unretainSmallFiles');
    expect(commandFor('RESTORED')).toBe('restore');
    expect(commandFor('finished')).toBeNull();
  });

  it('explains a failure with the code, and 18 with what it hides', () => {
    expect(describeDaemonFailure('unretainLargeFiles', 38, 'node-01')).toBe(
      'The node daemon on node-01 was asked to copy the saved state and the disk images into the retain folder and check them and answered 38 (CORRUPT_DISK_IMAGE_FOUND): A disk image failed qemu-img check.',
    );
    expect(describeDaemonFailure('restore', 18, 'node-01')).toMatch(/answered 18 \(WRONG_STATE_INFORMATION\)\. .* its log on the node/);
  });
});
