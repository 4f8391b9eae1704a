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
  const nodes = config.nodes;
  const overrides = Object.keys(nodes.addresses).length;
  console.info(
    nodes.credentials
      ? `[console] nodes over SSH as ${nodes.credentials.user} (port ${nodes.port}, timeout ${nodes.timeoutMs} ms), host keys pinned in ${nodes.credentials.knownHostsFile}` +
          (overrides > 0 ? `; ${overrides} node address(es) from NODE_ADDRESSES` : '')
      : '[console] nodes are not configured (NODE_SSH_PRIVATE_KEY_FILE is not set): node pages show no live data and restores cannot run',
  );
  console.info(config.metrics.token ? '[console] GET /api/metrics is on (bearer token from METRICS_TOKEN)' : '[console] GET /api/metrics is off (METRICS_TOKEN is not set)');
  console.info(
    `[console] rights re-read from the directory at least every ${config.access.cacheMs / 1000} s; sign-in paused after ${config.signIn.maxFailures} failures per name or ${config.signIn.maxFailuresPerAddress} per address within ${config.signIn.windowMs / 60_000} min`,
  );
  // Sessions past their time and old sign-in failures are removed from the directory.
  void import('./auth/housekeeping')
    .then((housekeeping) => housekeeping.startAuthHousekeeping())
    .catch((error: unknown) => console.error(`[session] cannot clean up sessions: ${error instanceof Error ? error.message : String(error)}`));
  // Restores interrupted by a restart (of this or another console instance) continue here.
  void import('./restore/runner')
    .then((runner) => runner.startResumeSweep())
    .catch((error: unknown) => console.error(`[restore] cannot watch for interrupted restores: ${error instanceof Error ? error.message : String(error)}`));
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(78);
}
