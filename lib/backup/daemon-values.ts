/**
 * How the node daemon reads configuration values (shared/spec/daemons.md, facts 6 and 9), so
 * that the console never writes a value the daemon reads differently from what the page says.
 */

/**
 * The path the node daemon takes from a `file://` URL. It matches `([\w\+]+\:\/\/)([\w\/]+)`
 * anywhere in the value and uses the second group: only ASCII letters, digits, `_` and `/`
 * survive, so `file:///srv/vm-backup` is read as `/srv/vm`. Null when nothing matches.
 */
export function nodeDaemonPath(url: string): string | null {
  const match = /([A-Za-z0-9_+]+:\/\/)([A-Za-z0-9_/]+)/.exec(url);
  return match ? match[2] : null;
}

/** The sentence for a directory URL the node daemon would not read as written, or null. */
export function truncatedPathProblem(label: string, url: string): string | null {
  const written = /^file:\/\/(\/.*)$/.exec(url.trim())?.[1];
  if (written === undefined) return null;
  const read = nodeDaemonPath(url.trim());
  if (read === written || read === written.replace(/\/+$/, '')) return null;
  return (
    `${label}: the node daemon reads ${url.trim()} as ${read ?? 'nothing'}, because it keeps only letters, digits, _ and / of a path, ` +
    `so it would write elsewhere than this says. Use a directory whose path has only those characters.`
  );
}

/**
 * Machines whose disks are in another format than the one the node daemon would give their new
 * live overlay at the next backup (fact 9): their disks would no longer match their definition.
 */
export function formatMismatches(
  format: string,
  machines: { name: string; diskFormats: string[] }[],
): { name: string; formats: string[] }[] {
  return machines
    .map((m) => ({
      name: m.name,
      formats: [...new Set(m.diskFormats.map((f) => f.toLowerCase()))].filter((f) => f !== format.toLowerCase()),
    }))
    .filter((m) => m.formats.length > 0);
}
