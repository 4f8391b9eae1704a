import { describe, expect, it } from 'vitest';
import { retentionPreview } from './retention';

const it3 = [
  { name: '20260101T020000Z', health: 'finished' as const },
  { name: '20260103T020000Z', health: 'finished' as const },
  { name: '20260102T020000Z', health: 'finished' as const },
];

describe('retentionPreview', () => {
  it('drops the oldest finished iterations beyond what the next run leaves room for', () => {
    expect(retentionPreview(it3, 2)).toEqual({
      kept: ['20260103T020000Z'],
      dropped: ['20260102T020000Z', '20260101T020000Z'],
      blockedBy: null,
      waitsFor: [],
      stopsForGood: false,
    });
    expect(retentionPreview(it3, 4).dropped).toEqual([]);
    expect(retentionPreview(it3, 1).kept).toEqual([]);
  });

  it('counts a running iteration as finished and never drops a failed one', () => {
    const mixed = [
      ...it3,
      { name: '20260104T020000Z', health: 'running' as const },
      { name: '20251231T020000Z', health: 'failed' as const },
    ];
    const preview = retentionPreview(mixed, 3);
    expect(preview.kept).toEqual(['20260104T020000Z', '20260103T020000Z']);
    expect(preview.dropped).toEqual(['20260102T020000Z', '20260101T020000Z']);
    expect(preview.blockedBy).toBe('20251231T020000Z');
    expect(preview.waitsFor).toEqual(['20260104T020000Z']);
  });
});

describe('fact 5: retention as fc-brokerd does it (FOSS-Cloud)', () => {
  it('removes one leaf per finished run, the oldest, and only once there are more than are kept', () => {
    expect(retentionPreview(it3, 3, 'foss-cloud')).toMatchObject({ dropped: ['20260101T020000Z'], stopsForGood: false });
    expect(retentionPreview(it3, 5, 'foss-cloud')).toMatchObject({ dropped: [], stopsForGood: false });
  });

  it('never starts another backup while there are more leaves than are kept', () => {
    expect(retentionPreview(it3, 2, 'foss-cloud')).toMatchObject({ dropped: [], stopsForGood: true });
    expect(retentionPreview(it3, 1, 'foss-cloud').stopsForGood).toBe(true);
  });

  it('removes nothing while a failed leaf holds the broker up', () => {
    const failed = [...it3, { name: '20260104T020000Z', health: 'failed' as const }];
    expect(retentionPreview(failed, 1, 'foss-cloud')).toMatchObject({ dropped: [], blockedBy: '20260104T020000Z', stopsForGood: false });
  });
});
