import 'server-only';
import { readEntry } from './client';
import { baseDn } from './layout';

export async function directoryHealth(): Promise<{ directory: 'ok' | 'unavailable' }> {
  try {
    await readEntry('Health check', baseDn(), ['1.1']);
    return { directory: 'ok' };
  } catch {
    return { directory: 'unavailable' };
  }
}
