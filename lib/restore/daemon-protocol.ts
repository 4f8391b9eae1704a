import { describeReturnCode, RETURN_CODE } from '@/lib/backup/return-codes';

/**
 * The node daemon's side of a daemon-driven restore (seed 000, restore steps 01–11; daemons.md
 * fact 1), as the console reads it. Pure: what an iteration's mode, state and return value mean
 * while the console waits for the daemon.
 */

/** Who executes a restore's node steps: the node daemon (daemon-driven) or this console over SSH (console-driven). */
export type Executor = 'daemon' | 'console';

/** The node daemon's restore commands: the mode it writes when it takes one, and when it is done. */
export const DAEMON_COMMANDS = {
  unretainSmallFiles: {
    working: 'unretainingSmallFiles',
    done: 'unretainedSmallFiles',
    what: 'copy the domain XML and the LDIF into the retain folder',
  },
  unretainLargeFiles: {
    working: 'unretainingLargeFiles',
    done: 'unretainedLargeFiles',
    what: 'copy the saved state and the disk images into the retain folder and check them',
  },
  restore: {
    working: 'restoring',
    done: 'restored',
    what: 'move the images over the live ones, restore the machine and remove the retain folder',
  },
} as const;

export type DaemonCommand = keyof typeof DAEMON_COMMANDS;

/** Written by the console (never by a daemon) when the node daemon did not answer in time. */
export const DAEMON_DID_NOT_ANSWER = RETURN_CODE.NODE_DAEMON_DID_NOT_ANSWER;
/** The daemon's answer to a mode it does not handle; the stepping-stone version also writes it over its own progress modes. */
export const WRONG_STATE_INFORMATION = RETURN_CODE.WRONG_STATE_INFORMATION;
/** The daemon restored the machine but could not remove the whole retain folder. */
export const NOT_ALL_FILES_DELETED = RETURN_CODE.NOT_ALL_FILES_DELETED_FROM_RETAIN_LOCATION;

export type DaemonAnswer =
  /** The command is there with state 0 and nobody has taken it yet. */
  | { kind: 'pending' }
  /** The mode is the command but its state is not 0: not (or no longer) a command the daemon executes. */
  | { kind: 'not-issued'; returnValue: number }
  | { kind: 'working' }
  | { kind: 'done'; returnValue: number; note: string | null }
  | { kind: 'failed'; returnValue: number }
  /** Someone else moved the iteration to another mode (the broker, another console, an operator). */
  | { kind: 'moved'; mode: string };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function commandFor(mode: string): DaemonCommand | null {
  for (const [command, words] of Object.entries(DAEMON_COMMANDS) as [DaemonCommand, (typeof DAEMON_COMMANDS)[DaemonCommand]][]) {
    if (same(mode, command) || same(mode, words.working) || same(mode, words.done)) return command;
  }
  return null;
}

export function readDaemonAnswer(
  command: DaemonCommand,
  iteration: { mode: string; state: string; returnValue: number | null },
): DaemonAnswer {
  const { working, done } = DAEMON_COMMANDS[command];
  const rv = iteration.returnValue ?? RETURN_CODE.SUCCESS;
  if (same(iteration.mode, command)) {
    if (iteration.state.trim() !== '0') return { kind: 'not-issued', returnValue: rv };
    return rv === RETURN_CODE.SUCCESS ? { kind: 'pending' } : { kind: 'failed', returnValue: rv };
  }
  if (same(iteration.mode, working)) return rv === RETURN_CODE.SUCCESS ? { kind: 'working' } : { kind: 'failed', returnValue: rv };
  if (same(iteration.mode, done)) {
    // The daemon's last write after a step that succeeded is the state timestamp; until then it is still at it.
    if (rv === RETURN_CODE.SUCCESS)
      return iteration.state.trim() === '0' ? { kind: 'working' } : { kind: 'done', returnValue: RETURN_CODE.SUCCESS, note: null };
    // The daemon writes its "-ed" mode only after the step succeeded; a later 18 is its answer to a notification of its own progress mode.
    if (rv === WRONG_STATE_INFORMATION) {
      return {
        kind: 'done',
        returnValue: rv,
        note: `The node daemon wrote ${done}, then return value 18, which the stepping-stone daemon writes when it sees its own progress mode; the step itself succeeded.`,
      };
    }
    if (command === 'restore' && rv === NOT_ALL_FILES_DELETED) {
      return {
        kind: 'done',
        returnValue: rv,
        note: 'The node daemon restored the machine but could not remove the whole retain folder (46); the console removes what is left.',
      };
    }
    return { kind: 'failed', returnValue: rv };
  }
  return { kind: 'moved', mode: iteration.mode };
}

/** A daemon's non-zero answer in words, with what the code means. */
export function describeDaemonFailure(command: DaemonCommand, returnValue: number, node: string): string {
  const code = describeReturnCode(returnValue);
  const asked = `The node daemon on ${node} was asked to ${DAEMON_COMMANDS[command].what}`;
  if (returnValue === WRONG_STATE_INFORMATION) {
    return `${asked} and answered 18 (${code.name}). The stepping-stone daemon writes 18 over a step's real result when it sees its own progress mode, so the cause is in its log on the node (syslog tag Backup-KVM).`;
  }
  return `${asked} and answered ${returnValue} (${code.name}): ${code.text}`;
}
