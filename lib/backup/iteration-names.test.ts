import { describe, expect, it } from 'vitest';
import { namesAgainstPlan } from './iteration-names';

const nightly = { minute: '30', hour: '2', day: '*', month: '*', dayOfWeek: '*', active: true };

describe('fact 8: iteration names as each program writes them', () => {
  it("FOSS-Cloud: fc-brokerd's local planned time, seconds 00, literal Z", () => {
    expect(namesAgainstPlan('foss-cloud', ['20260504T023000Z'], nightly, 'Europe/Zurich')).toEqual([]);
    const [utc, seconds] = namesAgainstPlan('foss-cloud', ['20260504T003000Z', '20260504T023012Z'], nightly, 'Europe/Zurich');
    expect(utc.problem).toMatch(/reads as 00:30 local time/);
    expect(seconds.problem).toMatch(/has seconds \(12\)/);
  });

  it("stoney cloud: the wrapper's UTC start, shortly after the node's crontab time", () => {
    // 02:30 in Zurich is 00:30 UTC in summer.
    expect(namesAgainstPlan('stoney-cloud', ['20260504T003012Z', '20260504T003947Z'], nightly, 'Europe/Zurich')).toEqual([]);
    const [local] = namesAgainstPlan('stoney-cloud', ['20260504T023012Z'], nightly, 'Europe/Zurich');
    expect(local.problem).toMatch(/02:30:12 UTC, 04:30 on the node/);
  });
});
