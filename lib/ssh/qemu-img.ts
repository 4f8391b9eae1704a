import 'server-only';
import { AppError } from '@/lib/errors';
import { CommandFailedError } from './errors';
import { assertSafePath } from './paths';
import { runOnNode, type RunOptions } from './run';

export interface ImageCheck {
  /** No corruption (leaked clusters only waste space and do not make an image unusable). */
  ok: boolean;
  /** qemu-img's exit code: 0 clean, 1 check not possible, 2 corrupted, 3 leaks only. */
  exitCode: number;
  format: string | null;
  corruptions: number;
  leaks: number;
  checkErrors: number;
  /** A sentence for the UI. */
  message: string;
}

type Options = Pick<RunOptions, 'signal' | 'timeoutMs'> & { format?: string };

const HOUR = 3_600_000;

function assertFormat(format: string): string {
  if (!/^[a-z0-9]+$/.test(format)) throw new AppError('invalid-input', `${JSON.stringify(format)} is not a disk image format.`);
  return format;
}

/**
 * `qemu-img check` of an image, with the format given (default qcow2) rather than probed:
 * probing would let a raw image that happens to start with a qcow2 header be read as qcow2.
 */
export async function qemuImgCheck(node: string, path: string, options: Options = {}): Promise<ImageCheck> {
  assertSafePath(path);
  const format = assertFormat(options.format ?? 'qcow2');
  const result = await runOnNode(node, ['qemu-img', 'check', '-f', format, '--output=json', '--', path], {
    timeoutMs: options.timeoutMs ?? HOUR,
    signal: options.signal,
  });
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    // exit code 1: qemu-img could not open or check the image; only stderr says why
  }
  const count = (key: string): number => (typeof report[key] === 'number' ? (report[key] as number) : 0);
  const corruptions = count('corruptions');
  const leaks = count('leaks');
  const checkErrors = count('check-errors');
  const ok = (result.code === 0 || result.code === 3) && corruptions === 0 && checkErrors === 0;
  const reason = result.stderr
    .trim()
    .split('\n')[0]
    ?.replace(/^qemu-img: /, '');
  const message = ok
    ? leaks > 0
      ? `${path} is usable (${leaks} leaked clusters waste space).`
      : `${path} has no errors.`
    : result.code === 1 || checkErrors > 0
      ? `${path} could not be checked: ${reason || 'qemu-img reported check errors'}.`
      : `${path} is corrupt (${corruptions} corruptions).`;
  return {
    ok,
    exitCode: result.code,
    format: typeof report.format === 'string' ? report.format : null,
    corruptions,
    leaks,
    checkErrors,
    message,
  };
}

export interface ImageInfo {
  format: string;
  virtualSizeBytes: number;
  actualSizeBytes: number | null;
  backingFile: string | null;
}

/** `qemu-img info` (with -U, so it also works on the image of a running machine). */
export async function qemuImgInfo(node: string, path: string, options: Options = {}): Promise<ImageInfo> {
  assertSafePath(path);
  const format = assertFormat(options.format ?? 'qcow2');
  const argv = ['qemu-img', 'info', '-U', '-f', format, '--output=json', '--', path];
  const result = await runOnNode(node, argv, { timeoutMs: options.timeoutMs, signal: options.signal });
  if (result.code !== 0)
    throw new CommandFailedError({ node, what: `Reading the image ${path}`, exitCode: result.code, stderr: result.stderr, argv });
  const info = JSON.parse(result.stdout) as Record<string, unknown>;
  return {
    format: String(info.format),
    virtualSizeBytes: Number(info['virtual-size']),
    actualSizeBytes: typeof info['actual-size'] === 'number' ? info['actual-size'] : null,
    backingFile: typeof info['backing-filename'] === 'string' ? info['backing-filename'] : null,
  };
}
