/**
 * The address a request came from, for sign-in throttling and the log. Next.js passes the socket's
 * address in X-Forwarded-For only when the request has no such header; each reverse proxy in front
 * appends the address it saw. So with `trustedProxies` proxies (CONSOLE_TRUSTED_PROXIES) the client
 * is the entry that many places from the end; the ones before it are whatever the client claimed.
 * Without a proxy a client can send the header itself, which is why the README says to run the
 * console behind one (the per-name limit holds either way).
 */
export function clientAddressOf(forwardedFor: string | null, trustedProxies: number): string {
  const entries = (forwardedFor ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return 'unknown';
  const candidate = entries[Math.max(0, entries.length - Math.max(1, trustedProxies))];
  const address = candidate.replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  return /^[0-9a-f.:]{2,45}$/i.test(address) ? address.toLowerCase() : 'unknown';
}
