/**
 * Errors the UI may show. `message` is a plain sentence safe for any administrator to read;
 * `detail` goes to the server log only (it may contain DNs, LDAP result codes, stack traces).
 */
export type AppErrorCode =
  | 'directory-unavailable'
  | 'directory-error'
  | 'not-found'
  | 'malformed-entry'
  | 'unauthenticated'
  | 'forbidden'
  | 'invalid-input'
  | 'conflict'
  // Nodes (lib/ssh): one code per thing an administrator fixes differently.
  | 'nodes-not-configured'
  | 'node-address-unknown'
  | 'node-unreachable'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'node-auth-failed'
  | 'node-timeout'
  | 'node-connection-lost'
  | 'command-failed'
  | 'command-aborted'
  | 'unsafe-path';

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly detail?: string;
  /** Sentences to show next to form fields (e.g. what someone else changed), keyed by field name. */
  readonly fieldErrors?: Record<string, string>;

  constructor(code: AppErrorCode, message: string, detail?: string, fieldErrors?: Record<string, string>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * A value someone typed, quoted for a message or a log line and cut short: error texts and audit
 * notes repeat what was sent, and a megabyte of it must not come back in an answer.
 */
export function quoteShort(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
