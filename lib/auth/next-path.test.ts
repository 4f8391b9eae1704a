import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next-path';

describe('where to go after signing in', () => {
  it('keeps paths on this console, with their query', () => {
    expect(safeNextPath('/machines')).toBe('/machines');
    expect(safeNextPath('/machines?status=failed&page=2')).toBe('/machines?status=failed&page=2');
    expect(safeNextPath('/machines/0e5d1294-c2a4-466b-a261-eac930e38dd9/restore/20261120T030000Z')).toBe(
      '/machines/0e5d1294-c2a4-466b-a261-eac930e38dd9/restore/20261120T030000Z',
    );
    // Dot segments are resolved as a browser would, and must still stay on the console.
    expect(safeNextPath('/pools/../machines')).toBe('/machines');
    expect(safeNextPath('/machines#top')).toBe('/machines');
  });

  it.each([
    '/.//evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2F%2Fevil.example',
    '/%2f/evil.example',
    '/%5Cevil.example',
    '/%252F%252Fevil.example',
    '/.%2F%2Fevil.example',
    '/a/..//evil.example',
    '/machines\\..\\..\\evil',
    'https://evil.example/',
    'HTTPS://evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/\u0000//evil.example',
    '/\t/evil.example',
    '/%0d%0aSet-Cookie:x=1',
    '/login',
    '/login?next=/machines',
    '',
    '/%E0%A4%A',
  ])('sends %j to the overview', (next) => {
    expect(safeNextPath(next)).toBe('/');
  });

  it('treats a missing or overlong value as the overview', () => {
    expect(safeNextPath(`/${'a'.repeat(3000)}`)).toBe('/');
    expect(safeNextPath(undefined)).toBe('/');
    expect(safeNextPath(null)).toBe('/');
  });
});
