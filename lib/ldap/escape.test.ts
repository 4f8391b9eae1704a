import { describe, expect, it } from 'vitest';
import { eq, escapeDnValue, escapeFilterValue, rdn } from './escape';
import { parentDn, parseDn, rdnValue, sameDn } from './dn';

describe('filter escaping (RFC 4515)', () => {
  it('escapes the characters that change a filter', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b')).toBe('a\\5cb');
    expect(escapeFilterValue('nul\u0000line\nend')).toBe('nul\\00line\\0aend');
    expect(eq('cn', 'admin)(|(cn=*')).toBe('(cn=admin\\29\\28|\\28cn=\\2a)');
  });

  it('keeps non-ASCII names intact', () => {
    expect(escapeFilterValue('Anna Müller')).toBe('Anna Müller');
  });
});

describe('DN values (RFC 4514)', () => {
  it('escapes separators, quotes and edge spaces', () => {
    expect(escapeDnValue('Müller, Söhne + "Co"; <x>=1\\')).toBe('Müller\\, Söhne \\+ \\"Co\\"\\; \\<x\\>\\=1\\\\');
    expect(escapeDnValue(' #lead trail ')).toBe('\\ #lead trail\\ ');
    expect(escapeDnValue('#x')).toBe('\\#x');
    expect(rdn('ou', 'a,b')).toBe('ou=a\\,b');
  });

  it('parses what it escapes back to the same values', () => {
    const name = 'Kunden, Bern & Zürich; "A+B"';
    const dn = `${rdn('sstDisplayName', name)},ou=x,o=Stepping Stone GmbH,c=ch`;
    expect(parseDn(dn)[0]).toEqual({ attribute: 'sstDisplayName', value: name });
    expect(rdnValue(dn, 'SSTDISPLAYNAME')).toBe(name);
    expect(parentDn(dn)).toBe('ou=x,o=Stepping Stone GmbH,c=ch');
  });

  it('understands hex escapes and compares DNs without regard to case', () => {
    expect(parseDn('cn=M\\C3\\BCller\\2C Hans,dc=x')[0].value).toBe('Müller, Hans');
    expect(sameDn('OU=Backup,sstVirtualMachine=ABC,dc=x', 'ou=backup,sstvirtualmachine=abc,DC=X')).toBe(true);
    expect(parseDn('cn=caf\\C3\\A9\\,\\2C x\\+y,dc=x')[0].value).toBe('café,, x+y');
  });

  it('stops after the leading RDNs when asked to', () => {
    expect(parseDn('ou=20240312T030000Z,ou=backup,sstVirtualMachine=a\\,b,ou=virtual machines,dc=x', 3)).toEqual([
      { attribute: 'ou', value: '20240312T030000Z' },
      { attribute: 'ou', value: 'backup' },
      { attribute: 'sstVirtualMachine', value: 'a,b' },
    ]);
  });
});
