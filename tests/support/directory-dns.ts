/**
 * The DNs of the entries the tests read and write below `baseDn` (spec/directory.md), spelled
 * out here rather than taken from lib/ldap, so that a test checks where the console writes.
 */
export function directoryDns(baseDn: string) {
  const virtualization = `ou=virtualization,ou=services,${baseDn}`;
  const machine = (uuid: string) => `sstVirtualMachine=${uuid},ou=virtual machines,${virtualization}`;
  return {
    machine,
    machineBackup: (uuid: string) => `ou=backup,${machine(uuid)}`,
    iteration: (uuid: string, iteration: string) => `ou=${iteration},ou=backup,${machine(uuid)}`,
    poolBackup: (uuid: string) => `ou=backup,sstVirtualMachinePool=${uuid},ou=virtual machine pools,${virtualization}`,
    cloudBackup: `ou=backup,ou=configuration,${virtualization}`,
    storagePool: (uuid: string) => `sstStoragePool=${uuid},ou=storage pools,${virtualization}`,
    dhcp: `ou=dhcp,ou=networks,${virtualization}`,
    /** The console's journal of a restore (lib/restore/journal). */
    restoreJournal: (uuid: string, iteration: string) => `ou=${uuid}_${iteration},ou=restores,ou=backup-console,ou=services,${baseDn}`,
  };
}

export type DirectoryDns = ReturnType<typeof directoryDns>;
