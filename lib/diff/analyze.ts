/**
 * Internal: reads both sides once, refuses a backup of another machine, and builds every
 * conflict together with its operations. computeConflicts returns the conflicts; applyDecisions
 * runs the operations on the same analysis, so what is shown and what is applied cannot drift.
 */
import { sameDn } from '../ldap/dn';
import { sideAgreement } from './agreement';
import { readDomain } from './domain-xml';
import { attributeOperations } from './attribute-conflicts';
import { entryOperations } from './entry-conflicts';
import { otherIdentities, type Operation } from './operation';
import { buildSettings } from './settings';
import { readSide } from './sides';
import { dhcpInterfaceKeyOf, interfaceNameMap, sideXml, type Sides } from './sides-context';
import type { ConflictInput, ConflictSet } from './types';
import { parseXml } from './xml';
import { diffXml, type XmlElementDifference } from './xml-diff';
import { xmlContentOperation, xmlElementOperation, xmlOrderOperation, xmlValueOperation } from './xml-conflicts';

export interface Analysis {
  set: ConflictSet;
  /** In the order of set.conflicts. */
  operations: Operation[];
  /** Null when the identities do not match. */
  sides: Sides | null;
}

const lower = (s: string | null) => (s ?? '').toLowerCase();

function refusal(input: ConflictInput, reason: string): Analysis {
  return {
    set: {
      conflicts: [],
      identityMismatch: reason,
      unchanged: { ldapEntries: 0, xmlSettings: 0 },
      inconsistencies: { backup: [], live: [] },
      identities: otherIdentities(input.identities, input.machineUuid),
      ...(input.imageFolders ? { imageFolders: input.imageFolders } : {}),
    },
    operations: [],
    sides: null,
  };
}

function xmlIdentity(which: string, domain: { name: string | null; uuid: string | null }, uuid: string): string | null {
  if (lower(domain.uuid) !== lower(uuid))
    return `${which} domain XML has <uuid> ${domain.uuid ?? '(none)'}, not the machine's UUID ${uuid}.`;
  if (lower(domain.name) !== lower(uuid))
    return `${which} domain XML has <name> ${domain.name ?? '(none)'}, not the machine's UUID ${uuid}.`;
  return null;
}

/** Throws XmlSyntaxError or DomainXmlError when an XML cannot be read at all. */
export function analyze(input: ConflictInput): Analysis {
  const uuid = input.machineUuid;
  const backup = readSide(input.backupLdif, uuid, 'The backup');
  if (typeof backup === 'string') return refusal(input, backup);
  const live = readSide(input.liveEntries, uuid, 'The live directory');
  if (typeof live === 'string') return refusal(input, live);
  if (!sameDn(backup.vmDn, live.vmDn))
    return refusal(input, `The backup was taken of ${backup.vmDn}, but the live machine is ${live.vmDn}.`);

  const backupDoc = parseXml(input.backupXml);
  const backupDomain = readDomain(backupDoc);
  const liveDoc = input.liveXml === null ? null : parseXml(input.liveXml);
  const liveDomain = liveDoc ? readDomain(liveDoc) : null;
  const mismatch = xmlIdentity("The backup's", backupDomain, uuid) ?? (liveDomain ? xmlIdentity('The live', liveDomain, uuid) : null);
  if (mismatch) return refusal(input, mismatch);

  const names = interfaceNameMap(backup, live);
  const sides: Sides = {
    machineUuid: uuid,
    backup,
    live,
    backupXml: sideXml(backup, backupDoc, backupDomain, names),
    liveXml: liveDoc && liveDomain ? sideXml(live, liveDoc, liveDomain, names) : null,
    interfaceNames: names,
    dhcpInterfaceKey: dhcpInterfaceKeyOf(backup, live),
    others: otherIdentities(input.identities, uuid),
    imageFolders: input.imageFolders,
  };

  const settings = buildSettings(sides);
  const xml = sides.liveXml
    ? diffXml(backupDoc.root, sides.liveXml.doc.root, {
        ignored: settings.ignoredXml,
        key: (element, side) =>
          element.name === 'interface' ? (side === 'backup' ? sides.backupXml : sides.liveXml)?.interfaceKeys.get(element) : undefined,
      })
    : { differences: [], equalValues: 0 };
  const elements = new Map<string, XmlElementDifference>();
  for (const d of xml.differences) if (d.kind === 'element') elements.set(d.path, d);

  const entries = entryOperations(sides, elements);
  const attributes = attributeOperations(sides, settings.claimed, settings.fixedAddressClaimed);
  const xmlOperations = xml.differences.flatMap((d) => {
    if (d.kind === 'value') return [xmlValueOperation(d)];
    if (d.kind === 'content') return [xmlContentOperation(d)];
    if (d.kind === 'order') return [xmlOrderOperation(d)];
    return elements.has(d.path) ? [xmlElementOperation(d)] : [];
  });
  const operations = [...settings.operations, ...entries, ...attributes.operations, ...xmlOperations];

  return {
    set: {
      conflicts: operations.map((o) => o.conflict),
      identityMismatch: null,
      unchanged: { ldapEntries: attributes.unchangedEntries, xmlSettings: xml.equalValues + settings.equalXml },
      inconsistencies: {
        backup: sideAgreement(backup, backupDomain, uuid),
        live: liveDomain ? sideAgreement(live, liveDomain, uuid) : [],
      },
      identities: sides.others,
      ...(input.imageFolders ? { imageFolders: input.imageFolders } : {}),
    },
    operations,
    sides,
  };
}
