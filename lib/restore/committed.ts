import 'server-only';
import { env } from '@/lib/env';
import { AppError, isAppError } from '@/lib/errors';

/**
 * Once a restore's start or confirmation is written to the directory, the restore has begun. If
 * what follows in the same request fails (the audit record, starting the work on the server), the
 * administrator must read exactly that, never the actions' usual "nothing was changed": the sweep
 * of every console instance (runner.ts) takes an open restore up by itself.
 */
export async function afterCommitted(done: string, next: () => Promise<unknown>): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!isAppError(error)) console.error('[restore] after the restore was written:', error);
    else if (error.detail) console.error(`[restore] after the restore was written: ${error.code}: ${error.detail}`);
    const why = isAppError(error) ? error.message : "an unexpected error (the details are in the console's log).";
    // The sweep looks about twice per lease, and waits for a lease held elsewhere to run out.
    const seconds = Math.ceil((env().restore.leaseMs * 1.5) / 1000);
    throw new AppError(
      isAppError(error) ? error.code : 'directory-error',
      `${done}, but this console could not go on with it: ${why} A console instance takes the restore up by itself within about ${seconds} seconds; reload the page to see where it stands.`,
    );
  }
}
