import { describe, expect, it } from 'vitest';
import { formatDuration, formatPeriod } from './duration';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('formatDuration', () => {
  it.each([
    [-5, 'less than a minute'],
    [30_000, 'less than a minute'],
    [MIN, '1 minute'],
    [45 * MIN, '45 minutes'],
    [5 * HOUR, '5 hours'],
    [47 * HOUR, '47 hours'],
    [3 * DAY, '3 days'],
    [21 * DAY, '3 weeks'],
    [120 * DAY, '4 months'],
    [800 * DAY, '2 years'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatPeriod', () => {
  it.each([
    [15 * MIN, 'every 15 minutes'],
    [HOUR, 'every hour'],
    [2 * HOUR, 'every 2 hours'],
    [DAY, 'every day'],
    [25 * HOUR, 'every day'],
    [3 * DAY, 'every 3 days'],
    [7 * DAY, 'every week'],
    [7 * DAY + HOUR, 'every week'],
    [14 * DAY, 'every 2 weeks'],
    [31 * DAY, 'every month'],
    [366 * DAY, 'every year'],
    [90 * MIN + 20_000, 'about every 90 minutes'],
    [150 * MIN, 'about every 3 hours'],
  ])('%d ms → %s', (ms, text) => expect(formatPeriod(ms)).toBe(text));
});
