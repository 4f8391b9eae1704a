/**
 * Identity collisions: a MAC address or fixed IP this machine would get that another live
 * machine has now. Two machines with one MAC on a bridge, or one fixed address in dhcpd, break
 * both machines' networking, so restoring such a value is refused unless it is already live.
 */
import { normalizeMac } from './domain-xml';
import { holders } from './names';
import type { Identities } from './types';

export type IdentityKind = 'mac' | 'ip';

export function holdersOf(kind: IdentityKind, value: string | null, others: Identities): { machineName: string; machineUuid: string }[] {
  if (value === null) return [];
  if (kind === 'mac') {
    const mac = normalizeMac(value);
    return others.macs.filter((m) => normalizeMac(m.mac) === mac);
  }
  return others.addresses.filter((a) => a.ip.trim() === value.trim());
}

const NOUN: Readonly<Record<IdentityKind, string>> = { mac: 'MAC address', ip: 'fixed IP address' };

export function collisionSentence(
  kind: IdentityKind,
  value: string,
  list: { machineName: string; machineUuid: string }[],
  whose: string,
): string {
  return `${whose} ${NOUN[kind]} ${value} is used by ${holders(list)} now.`;
}

export interface CollisionCheck {
  /** Sentences for every offered value that collides; undefined when none does. */
  text?: string;
  /** Why taking the backup is refused: its value collides and is not already the live one. */
  refuseBackup?: string;
}

export function checkCollisions(kind: IdentityKind, backup: string | null, live: string | null, others: Identities): CollisionCheck {
  const sentences: string[] = [];
  const backupHolders = holdersOf(kind, backup, others);
  const liveHolders = holdersOf(kind, live, others);
  const same =
    backup !== null && live !== null && (kind === 'mac' ? normalizeMac(backup) === normalizeMac(live) : backup.trim() === live.trim());
  let refuseBackup: string | undefined;
  if (backup !== null && backupHolders.length > 0) {
    const sentence = collisionSentence(kind, backup, backupHolders, same ? 'The' : "The backup's");
    sentences.push(sentence);
    if (!same) refuseBackup = `${sentence} Keep the live value or type another one.`;
  }
  if (!same && live !== null && liveHolders.length > 0) sentences.push(collisionSentence(kind, live, liveHolders, 'The live'));
  return { text: sentences.length > 0 ? sentences.join(' ') : undefined, refuseBackup };
}
