import { describe, expect, it } from 'vitest';
import { parseDn } from '../ldap/dn';
import { rdnsOf } from './dn';

describe('rdnsOf', () => {
  it('gives exactly what parseDn gives', () => {
    const dns = [
      'sstVirtualMachine=bdd640fb,ou=virtual machines,ou=virtualization,ou=services,dc=stoney-cloud,dc=org',
      ' ou = devices , sstVirtualMachine=x',
      'cn=a+sn=b,dc=example',
      'ou=Zürich,dc=example',
      'ou=Zürich\\2C Nord,dc=example',
      'cn=a\\,b,dc=example',
      '',
      'ou=,dc=x',
    ];
    for (const dn of dns) expect(rdnsOf(dn), dn).toEqual(parseDn(dn));
  });
});
