import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../support/wait-for';

const started: ChildProcess[] = [];

export interface ConsoleProcess {
  child: ChildProcess;
  /** Resolves once the process has written `text`; fails after 30 s, quoting what it wrote. */
  said(text: string): Promise<void>;
}

/**
 * A console process of its own (tests/fixtures/restore-console.ts: drive, undo or start) with this
 * process's environment and `env` over it, for a test to kill with SIGKILL or freeze with SIGSTOP.
 */
export function consoleProcess(args: string[], env: Record<string, string> = {}): ConsoleProcess {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'tests/fixtures/restore-console.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  return {
    child,
    said: (what) => waitFor(`the console to say ${what} (it said: ${text})`, () => text.includes(what), 30_000).then(() => undefined),
  };
}

/** Kills every console process started here, whatever the test did with it (after each test). */
export function killConsoleProcesses(): void {
  for (const child of started.splice(0)) child.kill('SIGKILL');
}
