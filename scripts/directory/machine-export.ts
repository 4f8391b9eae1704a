/**
 * The `.ldif` file the node daemon writes into every backup iteration
 * (KVMBackup::saveBackendEntry, shared/spec/directory.md §4.5): the VM's whole subtree as it
 * was at snapshot time, then its DHCP reservation; Net::LDAP::LDIF in append mode, no line
 * wrapping, no comments, no version line.
 *
 * Generated from the same description as the directory (cloud-ldif.ts), so a backup and the
 * live directory differ exactly where the description says they do (MachineSpec.atBackup).
 */
import { backupCompleted, cloudDns, LdifWriter, machineAtBackup, ownerAttrs, writeDhcpHost, writeMachine, type CloudSpec, type IterationSpec, type MachineSpec } from './cloud-ldif';

/** The iterations as the directory held them when `current` was being snapshotted. */
function iterationsAt(m: MachineSpec, current: IterationSpec): IterationSpec[] {
  return m.iterations
    .filter((it) => it.agoMs > current.agoMs)
    .map((it): IterationSpec =>
      // A backup that completed was `finished` then, whatever happened to it since (a restore).
      backupCompleted(it) && it.mode !== 'finished' ? { agoMs: it.agoMs, mode: 'finished', stateAgoMs: it.agoMs - 447_000 } : it,
    )
    // The daemon exports while the new leaf is in `snapshotting` with state 0.
    .concat([{ agoMs: current.agoMs, mode: 'snapshotting', completedSteps: [] }]);
}

export function machineExportLdif(spec: CloudSpec, machine: MachineSpec, iteration: IterationSpec, now: Date): string {
  const dns = cloudDns(spec.baseDn, spec.network.subnet);
  const w = new LdifWriter();
  const atBackup: MachineSpec = { ...machineAtBackup(machine), iterations: iterationsAt(machine, iteration) };
  writeMachine(w, spec, dns, atBackup, now, ownerAttrs(spec), false);
  writeDhcpHost(w, dns, machine, ownerAttrs(spec));
  return w.body();
}
