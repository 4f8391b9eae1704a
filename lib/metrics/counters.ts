/**
 * The console's own trouble, counted since the process started: directory errors by code and
 * SSH errors by node and code, for the metrics endpoint. Kept on globalThis: Next.js may load
 * this module once per route bundle, and every copy must count into the same numbers.
 */
interface Counts {
  directory: Map<string, number>;
  /** Keyed by node and code, separated by a NUL. */
  ssh: Map<string, number>;
}
const holder = globalThis as unknown as { __consoleErrorCounts?: Counts };

function counts(): Counts {
  holder.__consoleErrorCounts ??= { directory: new Map(), ssh: new Map() };
  return holder.__consoleErrorCounts;
}

export function countDirectoryError(code: string): void {
  const c = counts().directory;
  c.set(code, (c.get(code) ?? 0) + 1);
}

export function countSshError(node: string, code: string): void {
  const c = counts().ssh;
  const key = `${node.toLowerCase()}\u0000${code}`;
  c.set(key, (c.get(key) ?? 0) + 1);
}

export function errorCounts(): { directory: { code: string; count: number }[]; ssh: { node: string; code: string; count: number }[] } {
  const c = counts();
  return {
    directory: [...c.directory].map(([code, count]) => ({ code, count })),
    ssh: [...c.ssh].map(([key, count]) => {
      const [node, code] = key.split('\u0000');
      return { node, code, count };
    }),
  };
}
