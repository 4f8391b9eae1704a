import 'server-only';
import { env } from '@/lib/env';
import { rdn } from './escape';

/**
 * Where things live in a stoney cloud / FOSS-Cloud directory (spec/directory.md §1). The RDN
 * layout is fixed by the daemons, which hard-code it; only the base DN differs per installation.
 */
export function baseDn(): string {
  return env().ldap.baseDn;
}

export const virtualizationDn = () => `ou=virtualization,ou=services,${baseDn()}`;
export const machinesDn = () => `ou=virtual machines,${virtualizationDn()}`;
export const poolsDn = () => `ou=virtual machine pools,${virtualizationDn()}`;
export const storagePoolsDn = () => `ou=storage pools,${virtualizationDn()}`;
export const nodesDn = () => `ou=nodes,${virtualizationDn()}`;
export const cloudBackupDn = () => `ou=backup,ou=configuration,${virtualizationDn()}`;
export const dhcpDn = () => `cn=config-01,ou=dhcp,ou=networks,${virtualizationDn()}`;
export const peopleDn = () => `ou=people,${baseDn()}`;
export const groupsDn = () => `ou=groups,${baseDn()}`;
export const rolesDn = () => `ou=roles,${baseDn()}`;

export const machineDn = (uuid: string) => `${rdn('sstVirtualMachine', uuid)},${machinesDn()}`;
export const machineBackupDn = (uuid: string) => `ou=backup,${machineDn(uuid)}`;
export const iterationDn = (uuid: string, iteration: string) => `${rdn('ou', iteration)},${machineBackupDn(uuid)}`;
export const poolDn = (uuid: string) => `${rdn('sstVirtualMachinePool', uuid)},${poolsDn()}`;
export const poolBackupDn = (uuid: string) => `ou=backup,${poolDn(uuid)}`;
export const nodeDn = (fqdn: string) => `${rdn('sstNode', fqdn)},${nodesDn()}`;
