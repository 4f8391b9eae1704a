'use client';

import type { Preflight } from '@/lib/restore/phase1';
import { startRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { formatBytes } from '../ui/format';
import { useRestoreAction } from './use-restore-action';
import { ActionError } from '../ui/action-message';
import { Button } from '../ui/field';

/** Step 1: every reason not to start, at once; nothing is written until the administrator starts. */
export function PreflightPanel({ uuid, iteration, preflight }: { uuid: string; iteration: string; preflight: Preflight }) {
  const { run, pending, error } = useRestoreAction();
  const failed = preflight.checks.filter((c) => !c.ok).length;
  const total = preflight.largeFiles.reduce((sum, f) => sum + f.size, 0);
  const executor = preflight.executor;
  return (
    <div className="space-y-4">
      <ul className="space-y-2" aria-label="Pre-flight checks">
        {preflight.checks.map((c) => (
          <li key={c.label} className="flex gap-2" data-ok={c.ok}>
            <span aria-hidden className={c.ok ? 'font-semibold text-status-protected' : 'font-semibold text-status-failed'}>
              {c.ok ? '✓' : '✕'}
            </span>
            <span className="min-w-0">
              <span className={c.ok ? 'font-medium' : 'font-semibold text-status-failed'}>{c.label}</span>
              <span className="sr-only">{c.ok ? ' (passed)' : ' (failed)'}</span>
              <br />
              <span className="break-words text-muted">{c.detail}</span>
            </span>
          </li>
        ))}
      </ul>
      {failed > 0 && (
        <p
          role="alert"
          className="rounded-md border border-status-failed/30 bg-status-failed-bg px-3 py-2 text-status-failed"
          data-testid="preflight-blocked"
        >
          The restore cannot start: {failed === 1 ? 'one check fails' : `${failed} checks fail`}. Nothing was changed. Fix{' '}
          {failed === 1 ? 'it' : 'them'} and reload this page.
        </p>
      )}
      {preflight.largeFiles.length > 0 && (
        <div>
          <h3 className="mb-1 font-semibold">Copied in phase 2 (only after you confirm)</h3>
          <table className="w-full text-left text-sm" aria-label="Large files">
            <tbody>
              {preflight.largeFiles.map((f) => (
                <tr key={f.name} className="border-t border-line">
                  <td className="break-all py-1 pr-3 font-mono text-xs">{f.name}</td>
                  <td className="whitespace-nowrap py-1 text-right">{formatBytes(f.size)}</td>
                </tr>
              ))}
              <tr className="border-t border-line font-medium">
                <td className="py-1 pr-3">Total</td>
                <td className="whitespace-nowrap py-1 text-right">{formatBytes(total)}</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {executor && (
        <div className="rounded-md bg-canvas px-3 py-2" data-testid="preflight-executor" data-executor={executor.executor}>
          <p className="font-medium">Who executes the restore</p>
          <p className="text-muted">
            {executor.executor === 'daemon'
              ? 'The node daemon: the console writes its commands into the directory, waits for its answers and does the rest (directory entries, checks) itself.'
              : 'This console, over SSH: it writes nothing a node daemon or the broker would act on.'}{' '}
            {executor.summary}
          </p>
        </div>
      )}
      {preflight.kept && (
        <div className="rounded-md bg-canvas px-3 py-2" data-testid="preflight-kept">
          <p className="font-medium">Kept disks</p>
          <p className="text-muted">
            {preflight.kept.bytes > 0
              ? `Disk images kept by earlier restores (for an undo) hold ${formatBytes(preflight.kept.bytes)} on ${preflight.kept.node} (${preflight.kept.restores} ${preflight.kept.restores === 1 ? 'restore' : 'restores'}${preflight.kept.machineBytes > 0 ? `, ${formatBytes(preflight.kept.machineBytes)} of it this machine’s` : ''}); discarding them on the machine pages frees that space.`
              : `No disk images are kept by earlier restores on ${preflight.kept.node}.`}{' '}
            {executor?.executor === 'daemon'
              ? 'The node daemon does not keep the images it replaces: this restore cannot be undone.'
              : 'This restore keeps the live images it replaces (renamed beside them, not copied) until you discard them or their retention ends, so that it can be undone.'}
            {preflight.kept.machineRestores.length > 0 && executor?.executor !== 'daemon'
              ? ' After it, the earlier restore of this machine can no longer be undone, only discarded.'
              : ''}
          </p>
        </div>
      )}
      <div className="rounded-md bg-canvas px-3 py-2">
        <p className="font-medium">What starting does</p>
        <p className="text-muted">
          Phase 1 copies only the domain XML and the LDIF of this iteration into a fresh retain folder and shows every difference with the
          live machine for you to decide. <strong className="text-ink">Nothing live changes until you confirm the plan</strong>, and until
          then you can abort.
        </p>
      </div>
      <ActionError error={error} />
      <Button
        type="button"
        disabled={!preflight.ok}
        pending={pending}
        pendingLabel={executor?.executor === 'daemon' ? 'Asking the node daemon…' : 'Copying the XML and LDIF…'}
        onClick={() => run(startRestoreAction, { uuid, iteration })}
      >
        Start the restore
      </Button>
    </div>
  );
}
