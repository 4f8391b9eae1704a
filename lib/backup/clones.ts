import type { InstallationKind } from './installation';

/**
 * Dynamic clones (sstVirtualMachineType dynamic, any subtype but Golden-Image) are rebuilt from
 * their pool's golden image. On FOSS-Cloud fc-brokerd never backs them up (daemons.md; spec
 * directory.md §4.2): every page tells the same story about them, and nothing writes a backup
 * configuration under one. The stoney wrapper backs up every machine of its node (fact 7), so
 * there a clone is a machine like any other.
 */
export function isDynamicClone(machine: { type: string | null; subType: string | null }): boolean {
  return machine.type?.toLowerCase() === 'dynamic' && machine.subType?.toLowerCase() !== 'golden-image';
}

/** Whether the installation's scheduler backs the machine up at all. */
export function isBackupCandidate(machine: { type: string | null; subType: string | null }, kind: InstallationKind): boolean {
  return kind === 'stoney-cloud' || !isDynamicClone(machine);
}

export const CLONE_CONFIG_REFUSAL =
  'This machine is a dynamic clone: it is rebuilt from its golden image and fc-brokerd never backs clones up, so the console writes no backup configuration under it. Configure the golden image or the pool instead.';
