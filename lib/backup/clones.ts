/**
 * Dynamic clones (sstVirtualMachineType dynamic, any subtype but Golden-Image) are rebuilt from
 * their pool's golden image; the FOSS-Cloud broker never backs them up (spec/directory.md §4.2).
 * Every page tells the same story about them, and nothing writes a backup configuration under one.
 */
export function isDynamicClone(machine: { type: string | null; subType: string | null }): boolean {
  return machine.type?.toLowerCase() === 'dynamic' && machine.subType?.toLowerCase() !== 'golden-image';
}

/** Whether the scheduler backs the machine up at all. */
export function isBackupCandidate(machine: { type: string | null; subType: string | null }): boolean {
  return !isDynamicClone(machine);
}

export const CLONE_CONFIG_REFUSAL =
  'This machine is a dynamic clone: it is rebuilt from its golden image and the scheduler never backs clones up, so the console writes no backup configuration under it. Configure the golden image or the pool instead.';
