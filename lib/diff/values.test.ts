import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from './units';
import { checkImagePath, checkValue } from './values';

describe('parseSize / formatBytes', () => {
  it('reads bytes and sizes with libvirt units', () => {
    expect(parseSize('4294967296')).toEqual({ ok: true, bytes: 4 * 1024 ** 3 });
    expect(parseSize('4 GiB')).toEqual({ ok: true, bytes: 4 * 1024 ** 3 });
    expect(parseSize(' 4096MiB ')).toEqual({ ok: true, bytes: 4 * 1024 ** 3 });
    expect(parseSize('1.5 G')).toEqual({ ok: true, bytes: 1.5 * 1024 ** 3 });
    expect(parseSize('2 GB')).toEqual({ ok: true, bytes: 2_000_000_000 });
    expect(parseSize('0.1 b').ok).toBe(false);
    expect(parseSize('4 gibibytes').ok).toBe(false);
    expect(parseSize('-4 GiB').ok).toBe(false);
    expect(parseSize('99999 EiB').ok).toBe(false);
  });

  it('formats with the largest exact binary unit', () => {
    expect(formatBytes(2 * 1024 ** 3)).toBe('2 GiB');
    expect(formatBytes(1536 * 1024 ** 2)).toBe('1536 MiB');
    expect(formatBytes(1000)).toBe('1000 bytes');
    expect(formatBytes(0)).toBe('0 bytes');
  });
});

describe('checkValue', () => {
  const ok = (kind: Parameters<typeof checkValue>[0], text: string) => checkValue(kind, text);

  it('normalises memory to bytes and refuses sizes libvirt cannot hold', () => {
    expect(ok('memory', '4 GiB')).toEqual({ ok: true, value: String(4 * 1024 ** 3) });
    expect(ok('memory', '2147483648')).toEqual({ ok: true, value: '2147483648' });
    expect(ok('memory', '1000')).toMatchObject({ ok: false, error: expect.stringMatching(/KiB/) });
    expect(ok('memory', '0')).toMatchObject({ ok: false });
    expect(ok('memory', '20 TiB')).toMatchObject({ ok: false });
    expect(ok('memory', 'lots')).toMatchObject({ ok: false });
  });

  it('takes vCPUs as a positive whole number', () => {
    expect(ok('vcpus', ' 4 ')).toEqual({ ok: true, value: '4' });
    for (const bad of ['0', '-1', '1.5', '04', '5000', 'two', '']) expect(ok('vcpus', bad).ok, bad).toBe(false);
  });

  it('takes unicast MAC addresses in colon form, in lower case', () => {
    expect(ok('mac', '52:54:00:AA:bb:cc')).toEqual({ ok: true, value: '52:54:00:aa:bb:cc' });
    for (const bad of [
      '52-54-00-aa-bb-cc',
      '525400aabbcc',
      '52:54:00:aa:bb',
      '01:00:5e:00:00:01',
      '00:00:00:00:00:00',
      '52:54:00:aa:bb:cg',
    ]) {
      expect(ok('mac', bad).ok, bad).toBe(false);
    }
  });

  it('takes IPv4 addresses', () => {
    expect(ok('ip', '10.1.0.7')).toEqual({ ok: true, value: '10.1.0.7' });
    for (const bad of ['10.1.0', '10.1.0.256', '010.1.0.7', 'host.example', '0.0.0.0', '::1']) expect(ok('ip', bad).ok, bad).toBe(false);
  });

  it('takes absolute image paths without . or .. segments', () => {
    expect(ok('file-path', '/var/virtualization//vm-persistent/p/v.qcow2')).toEqual({
      ok: true,
      value: '/var/virtualization/vm-persistent/p/v.qcow2',
    });
    for (const bad of ['relative/v.qcow2', '/var/../etc/shadow', '/var/./x', '/var/x/', '/var/x\n.qcow2'])
      expect(ok('file-path', bad).ok, bad).toBe(false);
    expect(ok('volume-name', 'virtualization/vm-persistent/p/v.qcow2').ok).toBe(true);
    expect(ok('volume-name', '/virtualization/v.qcow2').ok).toBe(false);
    expect(ok('volume-name', 'a/../b').ok).toBe(false);
  });

  it('takes a disk image path only directly in one of the given folders', () => {
    const folders = ['/var/virtualization/vm-persistent/sp', '/var/virtualization/vm-persistent/other/'];
    expect(checkValue('disk-image', '/var/virtualization/vm-persistent/sp/v.qcow2', { imageFolders: folders })).toEqual({
      ok: true,
      value: '/var/virtualization/vm-persistent/sp/v.qcow2',
    });
    expect(checkImagePath('/var/virtualization/vm-persistent/other/v.qcow2', folders).ok).toBe(true);
    for (const bad of [
      '/etc/passwd',
      '/var/virtualization/vm-persistent/sp/deeper/v.qcow2',
      '/var/virtualization/vm-persistent/v.qcow2',
      '/var/virtualization/vm-persistent/spx/v.qcow2',
    ]) {
      expect(checkImagePath(bad, folders), bad).toMatchObject({
        ok: false,
        error: expect.stringMatching(/one of \/var\/virtualization\/vm-persistent\/sp, /),
      });
    }
    expect(checkImagePath('/var/virtualization/vm-persistent/sp/../../x', folders)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/\.\./),
    });
    expect(checkImagePath('/x/v.qcow2', [])).toMatchObject({ ok: false, error: expect.stringMatching(/no folder is known/) });
    // Without folders, only the format.
    expect(checkValue('disk-image', '/anywhere/v.qcow2').ok).toBe(true);
  });

  it('takes one-line text values', () => {
    expect(ok('display-name', '  web-01 ')).toEqual({ ok: true, value: 'web-01' });
    expect(ok('display-name', ' ').ok).toBe(false);
    expect(ok('ldap-value', 'a\nb').ok).toBe(false);
    expect(ok('ldap-value', '').ok).toBe(false);
    expect(ok('xml-value', '')).toEqual({ ok: true, value: '' });
  });
});
