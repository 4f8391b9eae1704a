import { ConfigurationError, env } from './env';

/**
 * A console with a broken configuration stops right away with one line per mistake, instead
 * of failing on the first page an administrator opens.
 */
try {
  const config = env();
  console.info(
    `[console] directory ${config.ldap.url}, base ${config.ldap.baseDn}; times shown in ${config.consoleTimeZone}, node cron in ${config.nodeTimeZone}`,
  );
  // Restores interrupted by a restart (of this or another console instance) continue here.
  void import('./restore/runner')
    .then((runner) => runner.startResumeSweep())
    .catch((error: unknown) => console.error(`[restore] cannot watch for interrupted restores: ${error instanceof Error ? error.message : String(error)}`));
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(78);
}
