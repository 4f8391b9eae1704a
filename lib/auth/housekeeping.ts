import 'server-only';
import { isAppError } from '@/lib/errors';
import { sweepExpiredSessions } from './session';
import { sweepSignInFailures } from './sign-in';

/** Expired sessions and old sign-in failures are removed from the directory this often by every running console instance. */
const EVERY_MS = 10 * 60_000;

async function sweep(): Promise<void> {
  try {
    const sessions = await sweepExpiredSessions();
    const counters = await sweepSignInFailures();
    if (sessions + counters > 0)
      console.info(`[session] removed ${sessions} expired session(s) and ${counters} old sign-in failure counter(s)`);
  } catch (error) {
    // The directory may be down for a while; the next sweep tries again.
    const text = isAppError(error) ? (error.detail ?? error.message) : error instanceof Error ? error.message : String(error);
    console.error(`[session] cleaning up expired sessions failed: ${text}`);
  }
}

export function startAuthHousekeeping(): void {
  const holder = globalThis as unknown as { __consoleAuthHousekeeping?: NodeJS.Timeout };
  if (holder.__consoleAuthHousekeeping) return;
  void sweep();
  holder.__consoleAuthHousekeeping = setInterval(() => void sweep(), EVERY_MS);
  holder.__consoleAuthHousekeeping.unref();
}
