import { describe, expect, it } from 'vitest';
import { retentionPreview } from './retention';

const it3 = [
  { name: '20260101T020000Z', health: 'finished' as const },
  { name: '20260103T020000Z', health: 'finished' as const },
  { name: '20260102T020000Z', health: 'finished' as const },
];

describe('retentionPreview', () => {
  it('drops the oldest finished iterations beyond what the next run leaves room for', () => {
    expect(retentionPreview(it3, 2)).toEqual({ kept: ['20260103T020000Z'], dropped: ['20260102T020000Z', '20260101T020000Z'], blockedBy: null, waitsFor: [] });
    expect(retentionPreview(it3, 4).dropped).toEqual([]);
    expect(retentionPreview(it3, 1).kept).toEqual([]);
  });

  it('counts a running iteration as finished and never drops a failed one', () => {
    const mixed = [...it3, { name: '20260104T020000Z', health: 'running' as const }, { name: '20251231T020000Z', health: 'failed' as const }];
    const preview = retentionPreview(mixed, 3);
    expect(preview.kept).toEqual(['20260104T020000Z', '20260103T020000Z']);
    expect(preview.dropped).toEqual(['20260102T020000Z', '20260101T020000Z']);
    expect(preview.blockedBy).toBe('20251231T020000Z');
    expect(preview.waitsFor).toEqual(['20260104T020000Z']);
  });
});
