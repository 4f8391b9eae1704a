/**
 * Runs a disposable slapd in the foreground until Ctrl-C / SIGTERM.
 *
 *   npx tsx scripts/directory/run-slapd.ts --port 3389 --ldif out.ldif
 *   npx tsx scripts/directory/run-slapd.ts --demo            # the demo directory, built for now
 *   npx tsx scripts/directory/run-slapd.ts --other           # the second test directory
 *
 * With --ldif, the base DN is read from the first entry and --root-dn/--root-password default to
 * cn=Manager,<base> and the demo's Manager password.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDemoDirectory, DEMO } from './demo-directory';
import { buildOtherDirectory, OTHER } from './other-directory';
import { startSlapd } from './slapd';

function firstDn(ldif: string): string {
  // Continuation lines start with one space; base64 DNs are marked with "::".
  const unfolded = ldif.replace(/\r?\n /g, '');
  const match = /^dn(::?) ?(.*)$/m.exec(unfolded);
  if (!match) throw new Error('the LDIF has no "dn:" line');
  return match[1] === '::' ? Buffer.from(match[2], 'base64').toString('utf8') : match[2];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      ldif: { type: 'string', multiple: true },
      demo: { type: 'boolean' },
      other: { type: 'boolean' },
      now: { type: 'string' },
      dir: { type: 'string' },
      'base-dn': { type: 'string' },
      'root-dn': { type: 'string' },
      'root-password': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: run-slapd.ts [--port N] (--ldif FILE... | --demo | --other) [--now ISO] [--dir DIR]\n' +
        '                    [--base-dn DN] [--root-dn DN] [--root-password PW]\n',
    );
    return;
  }

  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
    throw new Error(`--port ${values.port} is not a TCP port`);
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now ${values.now} is not an ISO date/time`);

  let baseDn: string;
  let rootPassword: string;
  const ldif: string[] = [];
  if (values.demo || values.other) {
    const built = values.other ? buildOtherDirectory(now) : buildDemoDirectory(now);
    baseDn = built.baseDn;
    rootPassword = values.other ? OTHER.rootPassword : DEMO.rootPassword;
    ldif.push(built.ldif);
  } else if (values.ldif && values.ldif.length > 0) {
    for (const file of values.ldif) ldif.push(readFileSync(file, 'utf8'));
    baseDn = values['base-dn'] ?? firstDn(ldif[0]);
    rootPassword = DEMO.rootPassword;
  } else {
    throw new Error('give --ldif FILE, --demo or --other (see --help)');
  }
  const rootDn = values['root-dn'] ?? `cn=Manager,${baseDn}`;
  rootPassword = values['root-password'] ?? rootPassword;

  const slapd = await startSlapd({ port, dir: values.dir, baseDn, rootDn, rootPassword, ldif });
  process.stdout.write(
    `slapd ${slapd.url} (pid ${slapd.pid}) serving ${baseDn}\n` +
      `  bind as ${rootDn} / ${rootPassword}\n` +
      `  e.g. ldapsearch -x -H ${slapd.url} -D '${rootDn}' -w '${rootPassword}' -b '${baseDn}' '(objectClass=sstVirtualizationVirtualMachine)' sstDisplayName\n` +
      '  Ctrl-C stops it.\n',
  );

  await new Promise<void>((resolve) => {
    const shutdown = (): void => {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      resolve();
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
  await slapd.stop();
  process.stdout.write('slapd stopped\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
