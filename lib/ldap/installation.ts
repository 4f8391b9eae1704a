import 'server-only';
import type { SearchOptions } from 'ldapts';
import { withDirectory } from './client';
import { toRawEntry, one } from './entry';
import { machinesDn } from './layout';

/**
 * What the directory itself says about the kind of installation (see lib/backup/installation.ts):
 * a sample of iteration leaves and the schema's numbering. Both reads are small on purpose; the
 * kind is decided once every few minutes, not per page.
 */

export type LeafSample = { machine: string; name: string; mode: string }[];

const SAMPLE_PAGES = 3;
const SAMPLE_PAGE_SIZE = 400;

/** Up to 1,200 iteration leaves (name, machine, mode), in the order slapd returns them. */
export async function sampleIterationLeaves(): Promise<LeafSample> {
  return withDirectory('Sampling backup iterations', async (client) => {
    const options: SearchOptions = {
      scope: 'sub',
      filter: '(objectClass=sstProvisioning)',
      attributes: ['sstProvisioningMode'],
      paged: { pageSize: SAMPLE_PAGE_SIZE },
    };
    const out: LeafSample = [];
    let pages = 0;
    for await (const page of client.searchPaginated(machinesDn(), options)) {
      for (const e of page.searchEntries) {
        const raw = toRawEntry(e);
        const match = /^ou=([^,]+),ou=backup,sstVirtualMachine=([^,]+),/i.exec(raw.dn);
        if (match) out.push({ name: match[1], machine: match[2].toLowerCase(), mode: one(raw, 'sstProvisioningMode') ?? '' });
      }
      pages += 1;
      if (pages >= SAMPLE_PAGES) break;
    }
    return out;
  });
}

/**
 * The object identifier of the attribute type sstVirtualMachine, from the subschema entry:
 * FOSS-Cloud numbers its sst schema under 1.3.6.1.4.1.42378, stepping stone (stoney cloud)
 * under 1.3.6.1.4.1.22621. Null when the schema cannot be read.
 */
export async function readSchemaArc(): Promise<string | null> {
  try {
    return await withDirectory('Reading the directory schema', async (client) => {
      const root = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['subschemaSubentry'] });
      const subschema = root.searchEntries[0] ? one(toRawEntry(root.searchEntries[0]), 'subschemaSubentry') : undefined;
      if (!subschema) return null;
      const result = await client.search(subschema, { scope: 'base', filter: '(objectClass=subschema)', attributes: ['attributeTypes'] });
      const types = result.searchEntries[0] ? (toRawEntry(result.searchEntries[0]).attrs.attributetypes ?? []) : [];
      const definition = types.find((t) => /NAME\s+(\(\s*)?'sstVirtualMachine'/.test(t));
      return definition ? (/^\(\s*([0-9.]+)/.exec(definition)?.[1] ?? null) : null;
    });
  } catch {
    // The schema is a hint only; a directory that does not show it is still usable.
    return null;
  }
}
