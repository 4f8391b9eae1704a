import { describe, expect, it } from 'vitest';
import { LdifSyntaxError, parseLdif, serializeLdif, type LdifEntry } from './ldif';

describe('parseLdif', () => {
  it('reads records, comments, continuations, base64 and the optional version line', () => {
    const text = [
      'version: 1',
      '# exported by prov-backup-kvm',
      'dn: sstVirtualMachine=bdd640fb,ou=virtual machines,dc=stoney-cloud,dc=org',
      'objectClass: top',
      'objectclass: sstVirtualizationVirtualMachine',
      'sstDisplayName: web',
      ' -01',
      'description:: TcO8bGxlcidzIG1hY2hpbmU=',
      'sstFeature: acpi',
      '',
      '',
      'dn:: b3U9ZGV2aWNlcyxzc3RWaXJ0dWFsTWFjaGluZT1iZGQ2NDBmYg==',
      'ou: devices',
      'empty:',
      '',
    ].join('\n');
    expect(parseLdif(text)).toEqual([
      {
        dn: 'sstVirtualMachine=bdd640fb,ou=virtual machines,dc=stoney-cloud,dc=org',
        attributes: [
          { name: 'objectClass', values: ['top', 'sstVirtualizationVirtualMachine'] },
          { name: 'sstDisplayName', values: ['web-01'] },
          { name: 'description', values: ["Müller's machine"] },
          { name: 'sstFeature', values: ['acpi'] },
        ],
      },
      {
        dn: 'ou=devices,sstVirtualMachine=bdd640fb',
        attributes: [
          { name: 'ou', values: ['devices'] },
          { name: 'empty', values: [''] },
        ],
      },
    ]);
  });

  it('accepts CRLF line ends, a missing final newline and comments with continuations', () => {
    const text = 'dn: cn=a\r\n# a long\r\n  comment\r\ncn: a\r\n\r\ndn: cn=b\r\ncn: b';
    expect(parseLdif(text).map((e) => e.dn)).toEqual(['cn=a', 'cn=b']);
    expect(parseLdif('')).toEqual([]);
  });

  it('keeps attribute options and merges an attribute split over non-adjacent lines', () => {
    const [entry] = parseLdif('dn: cn=a\ncn;lang-de: a\nsn: b\ncn;LANG-DE: c\n');
    expect(entry.attributes).toEqual([
      { name: 'cn;lang-de', values: ['a', 'c'] },
      { name: 'sn', values: ['b'] },
    ]);
  });

  it('names the line of each problem', () => {
    const cases: [string, number, RegExp][] = [
      ['dn: cn=a\ncn:< file:///etc/passwd\n', 2, /URL/],
      ['dn: cn=a\nchangetype: modify\n', 2, /change records/],
      ['cn: a\n', 1, /must start with "dn:"/],
      [' continued\n', 1, /continuation/],
      ['dn: cn=a\n\n x\n', 3, /continuation/],
      ['dn: cn=a\nnot an attribute line\n', 2, /attribute: value/],
      ['dn: cn=a\nbad_name: x\n', 2, /not an attribute name/],
      ['dn: cn=a\ncn:: !!!\n', 2, /base64/],
      ['dn: cn=a\njpegPhoto:: /9j/4A==\n', 2, /not UTF-8/],
      ['version: 2\ndn: cn=a\n', 1, /version/],
      ['dn: cn=a\ndn: cn=b\n', 2, /second "dn:"/],
      ['dn: cn=a\ncontrol: 1.2.3\n', 2, /controls/],
    ];
    for (const [text, line, message] of cases) {
      let caught: unknown;
      try {
        parseLdif(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(LdifSyntaxError);
      expect((caught as LdifSyntaxError).line, text).toBe(line);
      expect((caught as LdifSyntaxError).message, text).toMatch(message);
      expect((caught as LdifSyntaxError).message, text).toMatch(`LDIF line ${line}:`);
    }
  });
});

describe('serializeLdif', () => {
  const entries: LdifEntry[] = [
    {
      dn: 'ou=Zürich\\2C Nord,sstVirtualMachine=bdd640fb,ou=virtual machines,dc=stoney-cloud,dc=org',
      attributes: [
        { name: 'objectClass', values: ['top', 'organizationalUnit'] },
        { name: 'ou', values: ['Zürich, Nord'] },
        {
          name: 'description',
          values: ['', ' leading space', 'trailing space ', ':colon', '<angle', 'tab\there', 'line\nbreak', 'plain, with commas'],
        },
        { name: 'sstFeature', values: ['acpi', 'apic', 'pae'] },
      ],
    },
    {
      dn: 'cn=bdd640fb,ou=virtual machines,cn=10.1.0.0,cn=config-01,ou=dhcp',
      attributes: [{ name: 'dhcpStatements', values: ['fixed-address 10.1.0.7'] }],
    },
  ];

  it('round-trips non-ASCII, commas, empty and multi-valued values', () => {
    expect(parseLdif(serializeLdif(entries))).toEqual(entries);
  });

  it('writes plain text where RFC 2849 allows it and base64 elsewhere, without wrapping', () => {
    const text = serializeLdif(entries);
    expect(text).toContain('dn:: ');
    expect(text).toContain('description:\n');
    expect(text).toContain('description: plain, with commas\n');
    expect(text).toContain('description:: IGxlYWRpbmcgc3BhY2U=\n');
    expect(text).toContain(`description:: ${Buffer.from('trailing space ').toString('base64')}\n`);
    expect(text).toContain('sstFeature: acpi\nsstFeature: apic\n');
    expect(text.endsWith('fixed-address 10.1.0.7\n')).toBe(true);
    expect(text.split('\n').filter((l) => l === '')).toHaveLength(2);
    const long = serializeLdif([{ dn: 'cn=a', attributes: [{ name: 'description', values: ['x'.repeat(500)] }] }]);
    expect(long.split('\n')[1]).toHaveLength('description: '.length + 500);
  });
});

describe('parseLdif: byte-level details the node daemon’s LDIF reader keeps', () => {
  it('keeps a byte-order mark at the start of a base64 value', () => {
    const value = '\ufeffnotes exported from Windows';
    const text = `dn: cn=a\ndescription:: ${Buffer.from(value, 'utf8').toString('base64')}\n`;
    expect(parseLdif(text)[0].attributes).toEqual([{ name: 'description', values: [value] }]);
    expect(parseLdif(Buffer.from(text, 'utf8'))[0].attributes).toEqual([{ name: 'description', values: [value] }]);
    const entries: LdifEntry[] = [{ dn: 'cn=a', attributes: [{ name: 'description', values: [value, '\ufeff'] }] }];
    expect(parseLdif(serializeLdif(entries))).toEqual(entries);
  });

  it('joins a line folded inside a UTF-8 character before decoding it', () => {
    // "Müller" with the fold between the two bytes of ü (C3 BC), as RFC 2849 folding at a
    // byte count produces it.
    const bytes = Buffer.concat([
      Buffer.from('dn: cn=a\ndescription: M', 'utf8'),
      Buffer.from([0xc3]),
      Buffer.from('\n ', 'utf8'),
      Buffer.from([0xbc]),
      Buffer.from('ller\n', 'utf8'),
    ]);
    expect(parseLdif(bytes)).toEqual([{ dn: 'cn=a', attributes: [{ name: 'description', values: ['Müller'] }] }]);
    const crlf = Buffer.from(bytes.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
    expect(parseLdif(crlf)).toEqual([{ dn: 'cn=a', attributes: [{ name: 'description', values: ['Müller'] }] }]);
    // A four-byte character folded twice, and a fold inside a DN.
    const clef = Buffer.from('𝄞', 'utf8');
    const twice = Buffer.concat([
      Buffer.from('dn: cn=', 'utf8'),
      clef.subarray(0, 1),
      Buffer.from('\n ', 'utf8'),
      clef.subarray(1, 3),
      Buffer.from('\n ', 'utf8'),
      clef.subarray(3),
      Buffer.from('\ncn: x\n', 'utf8'),
    ]);
    expect(parseLdif(twice)[0].dn).toBe('cn=𝄞');
  });

  it('names the line of bytes that are not UTF-8 even after joining, and leaves comments alone', () => {
    const broken = Buffer.concat([
      Buffer.from('dn: cn=a\n# caf', 'utf8'),
      Buffer.from([0xe9]),
      Buffer.from('\ndescription: M', 'utf8'),
      Buffer.from([0xc3]),
      Buffer.from('\n x\n', 'utf8'),
    ]);
    let caught: unknown;
    try {
      parseLdif(broken);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LdifSyntaxError);
    expect((caught as LdifSyntaxError).line).toBe(3);
    expect((caught as LdifSyntaxError).message).toMatch(/not UTF-8/);
  });
});
