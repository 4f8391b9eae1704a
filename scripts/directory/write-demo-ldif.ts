/**
 * Prints a test directory as LDIF.
 *
 *   npx tsx scripts/directory/write-demo-ldif.ts [--now 2024-03-12T08:00:00Z] [--directory demo|other] [--out file.ldif]
 *
 * Iteration names are relative to --now (default: the current time), so a demo built today shows
 * "last night's backup" as last night's.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDemoDirectory } from './demo-directory';
import { buildOtherDirectory } from './other-directory';

function main(): void {
  const { values } = parseArgs({
    options: {
      now: { type: 'string' },
      directory: { type: 'string', default: 'demo' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: write-demo-ldif.ts [--now <ISO time>] [--directory demo|other] [--out <file>]\n');
    return;
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new Error(`--now ${values.now} is not an ISO date/time such as 2024-03-12T08:00:00Z`);
  const build = values.directory === 'demo' ? buildDemoDirectory : values.directory === 'other' ? buildOtherDirectory : undefined;
  if (!build) throw new Error(`--directory must be "demo" or "other", not ${values.directory}`);
  const { ldif } = build(now);
  if (values.out) writeFileSync(values.out, ldif);
  else process.stdout.write(ldif);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
