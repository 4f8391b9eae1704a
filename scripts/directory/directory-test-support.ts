/** Small LDAP helpers shared by the directory tests; kept apart so test files stay about behaviour. */
import { Client, type Entry, type Filter } from 'ldapts';
import type { RunningSlapd } from './slapd';

export async function withClient<T>(
  slapd: RunningSlapd,
  bind: { dn: string; password: string } | 'root' | 'anonymous',
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ url: slapd.url, timeout: 5_000, connectTimeout: 5_000 });
  try {
    if (bind === 'root') await client.bind(slapd.rootDn, slapd.rootPassword);
    else if (bind !== 'anonymous') await client.bind(bind.dn, bind.password);
    return await work(client);
  } finally {
    await client.unbind();
  }
}

export async function search(
  client: Client,
  base: string,
  filter: string | Filter,
  options: { scope?: 'base' | 'one' | 'sub'; attributes?: string[] } = {},
): Promise<Entry[]> {
  const { searchEntries } = await client.search(base, { scope: options.scope ?? 'sub', filter, attributes: options.attributes });
  return searchEntries;
}

/** All values of an attribute as strings (ldapts gives a string for one value, an array for several). */
export function values(entry: Entry | undefined, attribute: string): string[] {
  if (!entry) return [];
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined) return [];
  const raw = entry[key];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

export function value(entry: Entry | undefined, attribute: string): string | undefined {
  return values(entry, attribute)[0];
}
