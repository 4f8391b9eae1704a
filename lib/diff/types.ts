/**
 * The conflict model of phase 1 of a restore (spec/restore-protocol.md, steps 3–5). Everything
 * here is plain data: a ConflictSet can go to the browser and come back, and the decisions the
 * administrator makes are keyed by conflict id.
 */
import type { LdifEntry } from './ldif';

export interface OtherMachineMac {
  mac: string;
  machineUuid: string;
  machineName: string;
}

export interface OtherMachineAddress {
  ip: string;
  machineUuid: string;
  machineName: string;
}

/** Every other live machine's MAC addresses and fixed IPs (entries of this machine are ignored). */
export interface Identities {
  macs: OtherMachineMac[];
  addresses: OtherMachineAddress[];
}

export interface ConflictInput {
  machineUuid: string;
  /** The whole backup .ldif: VM subtree including ou=backup and its iteration leaves, then the DHCP entry. */
  backupLdif: LdifEntry[];
  /** The live VM subtree (user attributes; ou=backup may be included and is ignored) and the live DHCP entry if any. */
  liveEntries: LdifEntry[];
  backupXml: string;
  /** Null when the domain is not defined on the node. */
  liveXml: string | null;
  identities: Identities;
  /**
   * The folders a disk image of this machine may be in (see ValueContext in values.ts). When
   * given, a disk image path that is typed or taken from a side must be a file directly in one.
   */
  imageFolders?: string[];
}

export type Choice = 'live' | 'backup' | 'value';

/**
 * - setting: one setting kept in several places (directory, domain XML, DHCP reservation);
 * - ldap-attribute: one attribute of an entry that exists live and in the backup;
 * - ldap-entry: an entry (with everything below it) that exists on one side only, or the DHCP
 *   reservation kept under a different DN;
 * - xml: one attribute, text or element of the domain XML that the directory does not record,
 *   or the order of the elements of one name.
 */
export type ConflictKind = 'setting' | 'ldap-attribute' | 'ldap-entry' | 'xml';

/** How a typed value is checked and normalised (see validateValue). */
export type ValueKind =
  'memory' | 'vcpus' | 'mac' | 'ip' | 'file-path' | 'disk-image' | 'volume-name' | 'display-name' | 'ldap-value' | 'xml-value';

/**
 * One place a conflict changes in the directory. `attribute` is null for a whole entry; then
 * live/backup hold the entry as LDIF lines. Otherwise they hold the attribute's values ([] when
 * the attribute is absent). null means the entry itself is absent on that side.
 */
export interface LdapPlace {
  dn: string;
  attribute: string | null;
  live: string[] | null;
  backup: string[] | null;
}

/**
 * One place a conflict changes in the domain XML, by path (`devices/video/model@vram` for an
 * attribute, `on_crash` for an element's text, `devices/sound` for a whole element,
 * `devices/interface#order` for an order). Values are the attribute or text, the serialised
 * element or the keys in order; null when absent on that side (and on the live side when the
 * domain is not defined). A value libvirt chose at start is marked "(set by libvirt at start)".
 */
export interface XmlPlace {
  path: string;
  live: string | null;
  backup: string | null;
}

export interface Conflict {
  /** Stable and derived from the content; the key of the decision. See the id scheme in README.md. */
  id: string;
  kind: ConflictKind;
  /** What is in conflict, in words: "Memory", "MAC address of net0", "description of the machine". */
  label: string;
  /** The live state, for display ("2 GiB", "(not set)", "2 GiB (directory), 4 GiB (domain XML)"). */
  live: string;
  /** The backup's state, for display. */
  backup: string;
  /** True when the administrator may type a value instead (single values only). */
  allowValue: boolean;
  /** How a typed value is validated; null when allowValue is false. */
  valueKind: ValueKind | null;
  /** What to type, for the input's hint ("bytes or a size such as 4 GiB"); null when allowValue is false. */
  valueHint: string | null;
  /** The exact single values behind live/backup (memory in bytes, MAC in lower case); null when absent or not single. */
  values: { live: string | null; backup: string | null };
  /** What each choice does, in words, for the buttons ("Keep 2 GiB", "Restore the entry from the backup"). */
  choices: { live: string; backup: string };
  /** Choices that cannot be taken and why (a MAC another machine uses now, a side without a value). */
  refused: Partial<Record<'live' | 'backup', string>>;
  ldap: LdapPlace[];
  xml: XmlPlace[];
  /** Set when a MAC or fixed IP offered by this conflict is used by another live machine. */
  collision?: string;
  /** Extra context, such as a side whose directory and domain XML disagree with each other. */
  note?: string;
}

export interface ConflictSet {
  /** Settings first, then entries, then attributes, then domain XML; stable for the same input. */
  conflicts: Conflict[];
  /** Why this backup must not be restored onto this machine at all; null when the identities match. */
  identityMismatch: string | null;
  /** Entries equal on both sides, and domain XML values (attributes and texts) equal on both sides. */
  unchanged: { ldapEntries: number; xmlSettings: number };
  /** Where a side's directory entries and domain XML already disagreed (agreementProblems of that side). */
  inconsistencies: { backup: string[]; live: string[] };
  /** Other machines' identities, kept for checking typed values (validateDecisions). */
  identities: Identities;
  /** The input's imageFolders, kept for checking typed disk image paths. */
  imageFolders?: string[];
}

export type Decision = { choice: Choice; value?: string };
export type Decisions = Record<string, Decision>;

export type DecisionCheck = { ok: true } | { ok: false; errors: Record<string, string> };

export interface RestorePlan {
  /** What the restore changes, one sentence each ("Memory: 2 GiB → 4 GiB"). */
  overwritten: string[];
  /** Differences decided in favour of the live state ("Memory stays 2 GiB"). */
  kept: string[];
  /** Entries the restore creates, as "description (DN)". */
  entriesAdded: string[];
  /** Entries the restore deletes, as "description (DN)". */
  entriesRemoved: string[];
  /**
   * Where the resolved domain XML differs from the backup's in a part libvirt compares when it
   * restores a saved state (memory, vCPUs, devices …). Non-empty means `virsh restore` with the
   * state file may be refused; restoring without the state (define and start) is safe.
   */
  savedStateRisks: string[];
}

export interface Resolution {
  /** The target live state: the VM subtree without ou=backup (parents first), then the DHCP entry. */
  ldif: LdifEntry[];
  /** The resolved domain XML. */
  xml: string;
  plan: RestorePlan;
  /** agreementProblems of the result: empty unless a chosen side already disagreed with itself. */
  agreement: string[];
}

export type LdapModification = { operation: 'add' | 'delete' | 'replace'; attribute: string; values: string[] };

export type LdapChange =
  | { type: 'add'; dn: string; attributes: { name: string; values: string[] }[] }
  | { type: 'delete'; dn: string }
  | { type: 'modify'; dn: string; modifications: LdapModification[] };
