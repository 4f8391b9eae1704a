/**
 * Polls `probe` every 100 ms until it gives something truthy, and returns that; fails naming
 * `what` after `timeoutMs`. For what a test waits on in another process (a console, a daemon
 * stand-in, the node), where nothing tells it that it happened.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
