/**
 * Checks and normalises values an administrator types instead of taking a side. A typed value
 * ends up in the directory, in the domain XML and later in shell arguments (disk paths), so it
 * is held to the format the stoney cloud itself writes rather than to whatever libvirt tolerates.
 */
import type { ValueKind } from './types';
import { parseSize } from './units';

export type ValueCheck = { ok: true; value: string } | { ok: false; error: string };

export const VALUE_HINTS: Readonly<Record<ValueKind, string>> = {
  memory: 'bytes, or a size such as 4 GiB or 4096 MiB',
  vcpus: 'a whole number of virtual CPUs, 1 to 4096',
  mac: 'a MAC address such as 52:54:00:aa:bb:cc',
  ip: 'an IPv4 address such as 10.1.0.7',
  'file-path': 'an absolute path such as /var/virtualization/iso/<image>.iso',
  'disk-image': "an image file in the machine's storage pool folder, such as /var/virtualization/vm-persistent/<pool>/<volume>.qcow2",
  'volume-name': 'a volume name such as virtualization/vm-persistent/<pool>/<volume>.qcow2',
  'display-name': 'a name of up to 255 characters',
  'ldap-value': 'one value, on one line',
  'xml-value': 'one value, on one line',
};

const CONTROL = /[\u0000-\u001f\u007f]/;

export const MEMORY_MAX_BYTES = 16 * 1024 ** 4;

function memory(text: string): ValueCheck {
  const size = parseSize(text);
  if (!size.ok) return size;
  if (size.bytes <= 0) return { ok: false, error: 'Memory must be more than 0 bytes.' };
  if (size.bytes % 1024 !== 0) return { ok: false, error: 'Memory must be a whole number of KiB: libvirt counts memory in KiB.' };
  if (size.bytes > MEMORY_MAX_BYTES) return { ok: false, error: 'Memory above 16 TiB is not a plausible machine size.' };
  return { ok: true, value: String(size.bytes) };
}

function vcpus(text: string): ValueCheck {
  const t = text.trim();
  if (!/^[1-9]\d{0,3}$/.test(t) || Number(t) > 4096) return { ok: false, error: 'Enter a whole number of virtual CPUs from 1 to 4096.' };
  return { ok: true, value: t };
}

export function checkMac(text: string): ValueCheck {
  const t = text.trim().toLowerCase();
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(t))
    return { ok: false, error: 'Enter a MAC address as six pairs of hex digits separated by colons, such as 52:54:00:aa:bb:cc.' };
  // libvirt refuses multicast addresses for a NIC (lowest bit of the first octet set).
  if (parseInt(t.slice(0, 2), 16) & 1)
    return { ok: false, error: 'That is a multicast MAC address; a network interface needs a unicast one.' };
  if (t === '00:00:00:00:00:00') return { ok: false, error: 'The all-zero MAC address is not valid.' };
  return { ok: true, value: t };
}

export function checkIp(text: string): ValueCheck {
  const t = text.trim();
  const parts = t.split('.');
  const valid = parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
  if (!valid) return { ok: false, error: 'Enter an IPv4 address such as 10.1.0.7 (the DHCP server takes an IPv4 fixed-address).' };
  if (t === '0.0.0.0' || t === '255.255.255.255') return { ok: false, error: `${t} cannot be a machine's address.` };
  return { ok: true, value: t };
}

function filePath(text: string): ValueCheck {
  const t = text.trim();
  if (!t.startsWith('/')) return { ok: false, error: 'Enter an absolute path, starting with /.' };
  if (CONTROL.test(t)) return { ok: false, error: 'The path contains a control character.' };
  if (t.split('/').some((segment) => segment === '..' || segment === '.'))
    return { ok: false, error: 'The path must not contain "." or ".." segments.' };
  if (t.endsWith('/')) return { ok: false, error: 'The path names a folder; enter the image file.' };
  return { ok: true, value: t.replace(/\/{2,}/g, '/') };
}

/** What a typed value is checked against besides its format. */
export interface ValueContext {
  /**
   * The folders a disk image of this machine may be in (its storage pools' folders below the
   * virtualization root, and where its images are now). Without it a disk image path is only
   * checked for its format.
   */
  imageFolders?: readonly string[];
}

/**
 * A disk image path the machine could legitimately use: a file directly in one of `folders`.
 * Phase 2 moves the backup's image onto this path, so anything else (another machine's pool,
 * the retain or backup directory, /etc) is refused here, before it is decided.
 */
export function checkImagePath(text: string, folders: readonly string[]): ValueCheck {
  const checked = filePath(text);
  if (!checked.ok) return checked;
  const folder = checked.value.slice(0, checked.value.lastIndexOf('/')) || '/';
  const allowed = folders.map((f) => f.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1'));
  if (allowed.includes(folder)) return checked;
  const where =
    allowed.length === 0
      ? "no folder is known for this machine's images"
      : allowed.length === 1
        ? `it must be a file directly in ${allowed[0]}`
        : `it must be a file directly in one of ${allowed.join(', ')}`;
  return { ok: false, error: `${checked.value} is not a place for this machine's disk image: ${where} (its storage pool's folder).` };
}

/** The hint for a typed value, naming the folders where they are known. */
export function valueHint(kind: ValueKind, context: ValueContext = {}): string {
  const folders = context.imageFolders ?? [];
  if (kind === 'disk-image' && folders.length > 0)
    return `an image file directly in ${folders.length === 1 ? folders[0] : `one of ${folders.join(', ')}`}`;
  return VALUE_HINTS[kind];
}

function volumeName(text: string): ValueCheck {
  const t = text.trim();
  if (t === '' || t.startsWith('/'))
    return { ok: false, error: 'Enter the volume name relative to the storage volume, without a leading /.' };
  if (CONTROL.test(t)) return { ok: false, error: 'The name contains a control character.' };
  if (t.split('/').some((segment) => segment === '..' || segment === '.' || segment === ''))
    return { ok: false, error: 'The name must not contain empty, "." or ".." segments.' };
  return { ok: true, value: t };
}

function line(text: string, allowEmpty: boolean, max: number): ValueCheck {
  if (!allowEmpty && text.trim() === '') return { ok: false, error: 'Enter a value.' };
  if (CONTROL.test(text)) return { ok: false, error: 'The value must be on one line, without control characters.' };
  if (text.length > max) return { ok: false, error: `The value is longer than ${max} characters.` };
  return { ok: true, value: text };
}

/** Checks a typed value and returns it in the form that will be written. */
export function checkValue(kind: ValueKind, text: string, context: ValueContext = {}): ValueCheck {
  switch (kind) {
    case 'memory':
      return memory(text);
    case 'vcpus':
      return vcpus(text);
    case 'mac':
      return checkMac(text);
    case 'ip':
      return checkIp(text);
    case 'file-path':
      return filePath(text);
    case 'disk-image':
      return context.imageFolders ? checkImagePath(text, context.imageFolders) : filePath(text);
    case 'volume-name':
      return volumeName(text);
    case 'display-name':
      return line(text.trim(), false, 255);
    case 'ldap-value':
      return line(text, false, 65536);
    case 'xml-value':
      return line(text, true, 65536);
  }
}
