import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether an Authorization header carries the configured bearer token (for machine clients
 * such as Prometheus, which have no session). Both sides are hashed
 * first, so the comparison takes the same time whatever the length or content of the guess.
 */
export function bearerMatches(header: string | null, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = match ? match[1] : '';
  const equal = timingSafeEqual(digest(given), digest(token));
  return match !== null && equal;
}
