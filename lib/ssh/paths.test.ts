import { describe, expect, it } from 'vitest';
import { assertSafePath, isStrictlyInside, joinPath, normalizePath, parentDirectory } from './paths';

const refused = (path: string, under?: string) => {
  try {
    assertSafePath(path, under === undefined ? {} : { under });
    return null;
  } catch (error) {
    return error as { code: string; message: string };
  }
};

describe('assertSafePath', () => {
  it('accepts absolute paths, including ones with hostile but harmless characters', () => {
    for (const path of [
      '/',
      '/var/virtualization/vm-persistent/0f83f084-8080-413e-b558-b678e504836e/e929.qcow2',
      "/tmp/with space/it's/$(touch x)/`id`/a;b/new\nline",
      '/a/.../b', // three dots is a name, not a parent reference
      '/a/..b/c..',
      '/a//b/./c/',
    ]) {
      expect(assertSafePath(path)).toBe(path);
    }
  });

  it('refuses relative, empty, NUL and .. paths with a reason', () => {
    expect(refused('')).toMatchObject({ code: 'unsafe-path', message: expect.stringMatching(/empty/) });
    expect(refused('var/backup')).toMatchObject({ code: 'unsafe-path', message: expect.stringMatching(/not absolute/) });
    expect(refused('./x')).toMatchObject({ message: expect.stringMatching(/not absolute/) });
    expect(refused('-rf')).toMatchObject({ message: expect.stringMatching(/not absolute/) });
    expect(refused('/var/backup/../../etc/shadow')).toMatchObject({ message: expect.stringMatching(/"\.\."/) });
    expect(refused('/var/..')).toMatchObject({ code: 'unsafe-path' });
    expect(refused('/var/x\0/y')).toMatchObject({ message: expect.stringMatching(/NUL/) });
  });

  it('confines a path strictly below a root', () => {
    const retain = '/var/virtualization/retain';
    expect(refused('/var/virtualization/retain/vm-persistent/x/y', retain)).toBeNull();
    expect(refused('/var/virtualization/retain/a', `${retain}/`)).toBeNull();
    expect(refused('/var/virtualization//retain/./a', retain)).toBeNull();
    // The root itself, a sibling with the same prefix, a parent, or an escape are all refused.
    expect(refused(retain, retain)).toMatchObject({ code: 'unsafe-path', message: expect.stringMatching(/not inside/) });
    expect(refused(`${retain}/`, retain)).toMatchObject({ code: 'unsafe-path' });
    expect(refused('/var/virtualization/retained/x', retain)).toMatchObject({ code: 'unsafe-path' });
    expect(refused('/var/virtualization', retain)).toMatchObject({ code: 'unsafe-path' });
    expect(refused(`${retain}/../vm-persistent`, retain)).toMatchObject({ code: 'unsafe-path' });
    expect(refused('/etc', 'relative/root')).toMatchObject({ message: expect.stringMatching(/root .*not absolute/) });
    expect(refused('/anything', '/')).toBeNull();
    expect(refused('/', '/')).toMatchObject({ code: 'unsafe-path' });
  });

  it('shows hostile characters in messages without acting on them', () => {
    expect(refused('rel\n$(id)')?.message).toContain('"rel\\n$(id)"');
  });
});

describe('path helpers', () => {
  it('compares whole segments', () => {
    expect(isStrictlyInside('/a/b/c', '/a/b')).toBe(true);
    expect(isStrictlyInside('/a/bc', '/a/b')).toBe(false);
    expect(isStrictlyInside('/a/b', '/a/b/')).toBe(false);
  });

  it('normalizes, joins single segments and finds the parent', () => {
    expect(normalizePath('/a//b/./c/')).toBe('/a/b/c');
    expect(normalizePath('/')).toBe('/');
    expect(joinPath('/a/b/', 'c.qcow2.20240312T030000Z')).toBe('/a/b/c.qcow2.20240312T030000Z');
    expect(joinPath('/', 'x')).toBe('/x');
    expect(() => joinPath('/a', '../etc')).toThrow(expect.objectContaining({ code: 'unsafe-path' }));
    expect(() => joinPath('/a', 'b/c')).toThrow(/single path segment/);
    expect(() => joinPath('/a', '')).toThrow(/single path segment/);
    expect(parentDirectory('/a/b/c')).toBe('/a/b');
    expect(parentDirectory('/a')).toBe('/');
  });
});
