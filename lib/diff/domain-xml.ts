/**
 * The settings of a libvirt domain XML that the directory also records (spec/directory.md §2.1,
 * §2.2): name and uuid (both the machine's UUID in a stoney cloud), title, memory, vCPUs, disks
 * and interfaces. Reading is strict: a memory unit libvirt would reject is an error, not a guess.
 */
import { bytesInUnit, libvirtMemoryBytes } from './units';
import { parseXml, type XmlDocument, type XmlElement } from './xml';
import {
  cloneDocument,
  ensureElement,
  findElement,
  findElements,
  getAttribute,
  setAttribute,
  setTextContent,
  textContent,
} from './xml-nodes';

export interface DomainDisk {
  /** `<target dev>`: vda, vdb, hdc … */
  target: string;
  /** `<disk device>`: disk, cdrom, floppy, lun (libvirt's default is disk). */
  device: string;
  /** `<disk type>`: file, network, block … */
  type: string | null;
  bus: string | null;
  /** The attribute of `<source>` that names the image, by disk type: file, name (network) or dev (block). */
  sourceAttribute: 'file' | 'name' | 'dev';
  source: string | null;
  /** `<source protocol>` of network disks (gluster …). */
  sourceProtocol: string | null;
  driverType: string | null;
}

export interface DomainInterface {
  /** 0-based position among the `<interface>` elements of `<devices>`. */
  position: number;
  type: string | null;
  /** As written; compare with normalizeMac. */
  mac: string | null;
  bridge: string | null;
  model: string | null;
}

export interface DomainSettings {
  name: string | null;
  uuid: string | null;
  title: string | null;
  memoryBytes: number | null;
  currentMemoryBytes: number | null;
  vcpu: number | null;
  disks: DomainDisk[];
  interfaces: DomainInterface[];
}

export class DomainXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainXmlError';
  }
}

function attributeAt(from: XmlElement, path: string, name: string): string | null {
  const found = findElement(from, path);
  return found ? getAttribute(found, name) : null;
}

function optionalText(root: XmlElement, path: string): string | null {
  const element = findElement(root, path);
  return element ? textContent(element).trim() : null;
}

function memory(root: XmlElement, name: 'memory' | 'currentMemory'): number | null {
  const element = findElement(root, name);
  if (!element) return null;
  const bytes = libvirtMemoryBytes(textContent(element), getAttribute(element, 'unit'));
  if (bytes === null)
    throw new DomainXmlError(
      `<${name}> "${textContent(element).trim()}" in unit "${getAttribute(element, 'unit') ?? 'KiB'}" is not a size libvirt accepts.`,
    );
  return bytes;
}

function sourceAttributeFor(disk: XmlElement): DomainDisk['sourceAttribute'] {
  const type = getAttribute(disk, 'type');
  if (type === 'network') return 'name';
  if (type === 'block') return 'dev';
  if (type === 'file') return 'file';
  const source = findElement(disk, 'source');
  if (source && getAttribute(source, 'file') === null && getAttribute(source, 'name') !== null) return 'name';
  if (source && getAttribute(source, 'file') === null && getAttribute(source, 'dev') !== null) return 'dev';
  return 'file';
}

export function diskElements(root: XmlElement): XmlElement[] {
  return findElements(root, 'devices/disk');
}

export function interfaceElements(root: XmlElement): XmlElement[] {
  return findElements(root, 'devices/interface');
}

export function readDisk(disk: XmlElement): DomainDisk | null {
  const targetElement = findElement(disk, 'target');
  const target = targetElement ? getAttribute(targetElement, 'dev') : null;
  if (target === null) return null;
  const source = findElement(disk, 'source');
  const sourceAttribute = sourceAttributeFor(disk);
  return {
    target,
    device: getAttribute(disk, 'device') ?? 'disk',
    type: getAttribute(disk, 'type'),
    bus: targetElement ? getAttribute(targetElement, 'bus') : null,
    sourceAttribute,
    source: source ? getAttribute(source, sourceAttribute) : null,
    sourceProtocol: source ? getAttribute(source, 'protocol') : null,
    driverType: attributeAt(disk, 'driver', 'type'),
  };
}

export function readInterface(element: XmlElement, position: number): DomainInterface {
  return {
    position,
    type: getAttribute(element, 'type'),
    mac: attributeAt(element, 'mac', 'address'),
    bridge: attributeAt(element, 'source', 'bridge'),
    model: attributeAt(element, 'model', 'type'),
  };
}

/** Reads the settings; throws DomainXmlError when the root is not `<domain>` or a value is invalid. */
export function readDomain(doc: XmlDocument): DomainSettings {
  const root = doc.root;
  if (root.name !== 'domain') throw new DomainXmlError(`The root element is <${root.name}>, not a libvirt <domain>.`);
  const vcpuText = optionalText(root, 'vcpu');
  if (vcpuText !== null && !/^\d+$/.test(vcpuText)) throw new DomainXmlError(`<vcpu> "${vcpuText}" is not a whole number.`);
  const disks: DomainDisk[] = [];
  for (const element of diskElements(root)) {
    const disk = readDisk(element);
    if (!disk) throw new DomainXmlError('A <disk> has no <target dev=…>.');
    disks.push(disk);
  }
  return {
    name: optionalText(root, 'name'),
    uuid: optionalText(root, 'uuid'),
    title: optionalText(root, 'title'),
    memoryBytes: memory(root, 'memory'),
    currentMemoryBytes: memory(root, 'currentMemory'),
    vcpu: vcpuText === null ? null : Number(vcpuText),
    disks,
    interfaces: interfaceElements(root).map(readInterface),
  };
}

/** What to change; absent fields stay as they are. Missing elements are created, except disks and interfaces. */
export interface DomainPatch {
  name?: string;
  uuid?: string;
  title?: string;
  memoryBytes?: number;
  currentMemoryBytes?: number;
  vcpu?: number;
  /** New image per disk target (the attribute chosen by the disk's type). */
  diskSources?: Record<string, string>;
  /** New MAC address per interface position. */
  interfaceMacs?: Record<number, string>;
}

function writeMemory(root: XmlElement, name: 'memory' | 'currentMemory', bytes: number): void {
  const element = ensureElement(root, name);
  const { amount, unit } = bytesInUnit(bytes, getAttribute(element, 'unit'));
  setAttribute(element, 'unit', unit);
  setTextContent(element, amount);
}

export function setDiskSource(disk: XmlElement, value: string): void {
  const attribute = sourceAttributeFor(disk);
  const source = findElement(disk, 'source') ?? ensureElement(disk, 'source');
  setAttribute(source, attribute, value);
}

export function setInterfaceMac(element: XmlElement, mac: string): void {
  setAttribute(ensureElement(element, 'mac'), 'address', mac);
}

/** Changes `doc` in place. Throws when a disk target or interface position does not exist. */
export function writeDomainSettings(doc: XmlDocument, patch: DomainPatch): void {
  const root = doc.root;
  if (patch.name !== undefined) setTextContent(ensureElement(root, 'name'), patch.name);
  if (patch.uuid !== undefined) setTextContent(ensureElement(root, 'uuid'), patch.uuid);
  if (patch.title !== undefined) setTextContent(ensureElement(root, 'title'), patch.title);
  if (patch.memoryBytes !== undefined) writeMemory(root, 'memory', patch.memoryBytes);
  if (patch.currentMemoryBytes !== undefined) writeMemory(root, 'currentMemory', patch.currentMemoryBytes);
  if (patch.vcpu !== undefined) setTextContent(ensureElement(root, 'vcpu'), String(patch.vcpu));
  for (const [target, value] of Object.entries(patch.diskSources ?? {})) {
    const disk = diskElements(root).find((d) => readDisk(d)?.target === target);
    if (!disk) throw new DomainXmlError(`The domain XML has no disk with target ${target}.`);
    setDiskSource(disk, value);
  }
  const interfaces = interfaceElements(root);
  for (const [position, mac] of Object.entries(patch.interfaceMacs ?? {})) {
    const element = interfaces[Number(position)];
    if (!element) throw new DomainXmlError(`The domain XML has no interface at position ${position}.`);
    setInterfaceMac(element, mac);
  }
}

/** Returns a changed copy; `doc` stays as it was. */
export function setDomainSettings(doc: XmlDocument, patch: DomainPatch): XmlDocument {
  const copy = cloneDocument(doc);
  writeDomainSettings(copy, patch);
  return copy;
}

/** Lower case with colons: the form libvirt writes and the directory's `ethernet <mac>` uses. */
export function normalizeMac(mac: string): string {
  return mac.trim().toLowerCase();
}

/** The settings of a domain XML document given as text (throws DomainXmlError on malformed XML). */
export function readDomainSettings(text: string): DomainSettings {
  return readDomain(parseXml(text));
}
