'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { CronPlan } from '@/lib/cron/cron-plan';
import type { CronPreview } from '@/lib/cron/preview';
import { Notice } from '../ui/card';
import { Field, TextInput } from '../ui/field';
import { Table, Td, Th } from '../ui/table';

const FIELDS = [
  { key: 'minute', label: 'Minute', hint: '0–59' },
  { key: 'hour', label: 'Hour', hint: '0–23' },
  { key: 'day', label: 'Day of month', hint: '1–31' },
  { key: 'month', label: 'Month', hint: '1–12 or jan–dec' },
  { key: 'dayOfWeek', label: 'Day of week', hint: '0–7 or sun–sat (0 and 7 are Sunday)' },
] as const;

async function fetchPreview(plan: CronPlan, timeZone: string): Promise<CronPreview> {
  const query = new URLSearchParams({ ...plan, active: plan.active ? 'TRUE' : 'FALSE', timeZone });
  const response = await fetch(`/api/cron-preview?${query}`, { cache: 'no-store' });
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `The console answered ${response.status}.`);
  return (await response.json()) as CronPreview;
}

/** Waits until typing pauses, so the preview asks the server once per change, not per key. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
    // `key` stands for `value`: a new object with the same fields must not restart the timer.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `value` is tracked through `key`
  }, [key, ms]);
  return settled;
}

/**
 * The six cron attributes of a plan (local time on the node) with a live preview: the plan
 * in words, the next five runs on the node and in UTC with the iteration each creates, and
 * every reason the scheduler would not run it as written.
 */
export function CronEditor({
  value,
  onChange,
  errors,
  initialPreview,
  initialPlan,
  timeZone,
}: {
  value: CronPlan;
  onChange: (next: CronPlan) => void;
  errors: Partial<Record<keyof CronPlan, string>>;
  initialPreview: CronPreview;
  initialPlan: CronPlan;
  timeZone: string;
}) {
  const settled = useSettled(value, 250);
  const isInitial = JSON.stringify(settled) === JSON.stringify(initialPlan);
  const query = useQuery({
    queryKey: ['cron-preview', settled, timeZone],
    queryFn: () => fetchPreview(settled, timeZone),
    initialData: isInitial ? initialPreview : undefined,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const preview = query.data ?? initialPreview;
  const live = preview.fieldErrors;

  return (
    <div className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-5">
        {FIELDS.map((f) => {
          const id = `cron-${f.key}`;
          const liveError = live[f.key];
          const error = errors[f.key] ?? (liveError ? `${liveError.charAt(0).toUpperCase()}${liveError.slice(1)}.` : undefined);
          return (
            <Field key={f.key} id={id} label={f.label} hint={f.hint} error={error}>
              <TextInput
                id={id}
                value={value[f.key]}
                invalid={Boolean(error)}
                onChange={(e) => onChange({ ...value, [f.key]: e.target.value })}
                spellCheck={false}
              />
            </Field>
          );
        })}
      </div>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={value.active} onChange={(e) => onChange({ ...value, active: e.target.checked })} />
        <span className="font-medium">Active</span>
        <span className="text-xs text-muted">(sstCronActive; an inactive plan is kept but never runs)</span>
      </label>
      {errors.active && <p className="text-xs text-status-failed">{errors.active}</p>}

      <div className="rounded-md border border-line bg-canvas/50 p-3" aria-live="polite">
        <p>
          <span className="text-muted">Plan: </span>
          <span className="font-medium" data-testid="cron-description">
            {preview.description}
          </span>
          <span className="text-xs text-muted"> (time on the node, {preview.timeZone})</span>
        </p>
        {query.isError && <p className="mt-1 text-xs text-status-failed">The preview could not be refreshed: {query.error.message}</p>}
        {preview.warnings.length > 0 && (
          <div className="mt-2">
            <Notice tone="warning" title="fc-brokerd would never start this plan">
              <ul className="list-disc pl-5" data-testid="cron-warnings">
                {preview.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </Notice>
          </div>
        )}
        {preview.broker && preview.broker.failures.count > 0 && (
          <Notice tone="error" title="fc-brokerd's date arithmetic fails for this plan">
            <p data-testid="cron-failures">
              On {preview.broker.failures.count} days of the coming four years (first {preview.broker.failures.first}:{' '}
              {preview.broker.failures.reason}) its computation fails, which ends its whole cycle: no machine&apos;s backup starts on those
              days. Such a plan is refused.
            </p>
          </Notice>
        )}
        {preview.syntaxWarnings.length > 0 && (
          <Notice tone="warning" title="fc-brokerd reads these fields differently from cron">
            <ul className="list-disc pl-5" data-testid="cron-misreadings">
              {preview.syntaxWarnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </Notice>
        )}
        {preview.broker && preview.broker.runs.length > 0 && (
          <div className="mt-2">
            <Table label="Next runs">
              <thead>
                <tr>
                  <Th>fc-brokerd starts it ({preview.timeZone})</Th>
                  <Th>UTC</Th>
                  <Th>Iteration it creates</Th>
                  <Th>Daylight saving</Th>
                </tr>
              </thead>
              <tbody>
                {preview.broker.runs.map((run) => (
                  <tr key={`${run.iterationName}-${run.utc}`}>
                    <Td className="whitespace-nowrap font-mono text-xs">{run.local}</Td>
                    <Td className="whitespace-nowrap font-mono text-xs">{run.utc}</Td>
                    <Td className="font-mono text-xs">{run.iterationName}</Td>
                    <Td className="text-xs">{run.note ?? '—'}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <p className="mt-1 text-xs text-muted">
              fc-brokerd names each leaf with the planned local time and a literal Z (not UTC), seconds 00.
            </p>
            {preview.broker.skipped.map((n) => (
              <p key={n} className="text-xs text-status-stale">
                {n}
              </p>
            ))}
          </div>
        )}
        {preview.broker && preview.broker.differs && preview.runs.length > 0 && (
          <div className="mt-2">
            <Table label="What the fields mean in cron">
              <thead>
                <tr>
                  <Th>Cron would run it ({preview.timeZone})</Th>
                  <Th>UTC</Th>
                  <Th>Daylight saving</Th>
                </tr>
              </thead>
              <tbody>
                {preview.runs.map((run) => (
                  <tr key={`${run.iterationName}-${run.local}`}>
                    <Td className="whitespace-nowrap font-mono text-xs">{run.local}</Td>
                    <Td className="whitespace-nowrap font-mono text-xs">{run.utc}</Td>
                    <Td className="text-xs">{run.note ?? '—'}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <p className="mt-1 text-xs text-muted" data-testid="cron-differs">
              fc-brokerd does not run the plan as cron would (see above for why); the first table is what happens.
            </p>
          </div>
        )}
        {preview.broker && preview.daylightSaving.length > 0 && (
          <Notice tone="warning" title="Daylight-saving changes in the coming year">
            <ul className="list-disc pl-5" data-testid="cron-dst">
              {preview.daylightSaving.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </Notice>
        )}
      </div>
    </div>
  );
}
