'use client';

import { useState, useTransition } from 'react';
import { saveBackupConfigAction } from '@/app/(console)/_backup/actions';
import type { ConfigFormField, ConfigFormValues } from '@/lib/backup/config-schema';
import { CRON_PLAN_FIELD, cronPlanOfForm, formOfCronPlan } from '@/lib/backup/cron-form';
import type { CronPlan } from '@/lib/cron/cron-plan';
import type { BackupTarget } from '@/lib/ldap/backup-config';
import type { CronPreview } from '@/lib/cron/preview';
import { Notice } from '../ui/card';
import { Button, Field, Select, TextInput } from '../ui/field';
import { CronEditor } from './cron-editor';
import { RetentionPreview, type RetentionView } from './retention-preview';

type SaveResult = Awaited<ReturnType<typeof saveBackupConfigAction>>;

export type ParameterHelp = { key: string; label: string; description: string };

const TEXT_FIELDS: { key: ConfigFormField; group: 'files' | 'ownership' | 'behaviour'; placeholder?: string }[] = [
  { key: 'rootDirectory', group: 'files', placeholder: 'file:///var/backup/virtualization' },
  { key: 'retainDirectory', group: 'files', placeholder: 'file:///var/virtualization/retain' },
  { key: 'ramDiskLocation', group: 'files', placeholder: 'empty: no RAM disk' },
  { key: 'diskImageOwner', group: 'ownership' },
  { key: 'diskImageGroup', group: 'ownership' },
  { key: 'diskImagePermission', group: 'ownership', placeholder: '660' },
  { key: 'directoryOwner', group: 'ownership' },
  { key: 'directoryGroup', group: 'ownership' },
  { key: 'directoryPermission', group: 'ownership', placeholder: '770' },
  { key: 'mergeBandwidth', group: 'behaviour' },
];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <fieldset className="rounded-lg border border-line bg-surface p-4">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {children}
    </fieldset>
  );
}

/**
 * Every parameter of the node daemon's configuration. Nothing is written unless every
 * field is valid (the server checks again); the entry as read travels along so that a
 * save never silently overwrites someone else's change.
 */
export function BackupConfigForm({
  target,
  token: initialToken,
  initial,
  help,
  formats,
  preview,
  retention,
  submitLabel,
  kind,
  timeZone,
}: {
  target: BackupTarget;
  token: string;
  initial: ConfigFormValues;
  help: ParameterHelp[];
  formats: readonly string[];
  preview: CronPreview;
  retention: RetentionView;
  submitLabel: string;
  kind: 'foss-cloud' | 'stoney-cloud';
  /** The zone the schedule preview computes in. */
  timeZone: string;
}) {
  const [values, setValues] = useState<ConfigFormValues>(initial);
  const [token, setToken] = useState(initialToken);
  const [seen, setSeen] = useState({ token: initialToken, initial });
  // The page re-reads the entry after any change made from it (e.g. the exclude toggle). An
  // untouched form adopts the fresh values and their token; an edited one keeps the token it
  // started from, so saving it is checked against what the administrator actually saw.
  if (initialToken !== seen.token) {
    const untouched = JSON.stringify(values) === JSON.stringify(seen.initial);
    setSeen({ token: initialToken, initial });
    if (untouched) {
      setValues(initial);
      setToken(initialToken);
    }
  }
  const [result, setResult] = useState<SaveResult | null>(null);
  const [pending, startTransition] = useTransition();
  const confirming = result?.ok && result.data.outcome === 'confirm' ? result.data : null;
  const errors: Partial<Record<string, string>> =
    result && !result.ok
      ? (result.fieldErrors ?? {})
      : Object.fromEntries((confirming?.confirmations ?? []).filter((c) => c.field).map((c) => [c.field as string, c.text]));
  const text = (key: ConfigFormField) => help.find((h) => h.key === key);
  const set = (key: ConfigFormField, value: string) => setValues((v) => ({ ...v, [key]: value }));

  const cron = cronPlanOfForm(values);
  const initialCron = cronPlanOfForm(initial);
  const cronErrors = Object.fromEntries(
    Object.entries(CRON_PLAN_FIELD)
      .map(([k, f]) => [k, errors[f]])
      .filter(([, e]) => e),
  ) as Partial<Record<keyof CronPlan, string>>;
  const keep = /^\d+$/.test(values.iterations.trim()) && Number(values.iterations) >= 1 ? Number(values.iterations) : null;
  const current = /^\d+$/.test(initial.iterations) ? Number(initial.iterations) : null;

  function send(confirm: string | null) {
    startTransition(async () => {
      const r = await saveBackupConfigAction({ ...target, token, ...values, ...(confirm ? { confirm } : {}) });
      setResult(r);
      if (r.ok && r.data.outcome !== 'confirm') setToken(r.data.token);
    });
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    send(null);
  }

  const textField = (key: ConfigFormField, placeholder?: string) => {
    const h = text(key);
    return (
      <Field key={key} id={key} label={h?.label ?? key} hint={h?.description} error={errors[key]}>
        <TextInput
          id={key}
          name={key}
          value={values[key]}
          placeholder={placeholder}
          invalid={Boolean(errors[key])}
          onChange={(e) => set(key, e.target.value)}
          spellCheck={false}
        />
      </Field>
    );
  };
  const flag = (key: ConfigFormField) => {
    const h = text(key);
    return (
      <div key={key}>
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            name={key}
            checked={values[key] === 'TRUE'}
            onChange={(e) => set(key, e.target.checked ? 'TRUE' : 'FALSE')}
          />
          <span className="font-medium">{h?.label ?? key}</span>
        </label>
        <p className="ml-6 text-xs text-muted">{h?.description}</p>
        {errors[key] && <p className="ml-6 text-xs text-status-failed">{errors[key]}</p>}
      </div>
    );
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Backup configuration">
      {result && !result.ok && (
        <Notice tone="error" title="Not saved">
          <p data-testid="form-error">{result.error}</p>
        </Notice>
      )}
      {confirming && (
        <Notice tone="warning" title="Not saved yet: read what this would do">
          <p>{confirming.message}</p>
          <ul className="my-2 list-disc pl-5" data-testid="form-confirmations">
            {(confirming.confirmations ?? []).map((c) => (
              <li key={c.text}>{c.text}</li>
            ))}
          </ul>
          <div className="flex gap-2">
            <Button type="button" tone="danger" disabled={pending} onClick={() => send(confirming.confirm ?? null)}>
              Save anyway
            </Button>
            <Button type="button" tone="secondary" onClick={() => setResult(null)}>
              Change the values
            </Button>
          </div>
        </Notice>
      )}
      {result?.ok && result.data.outcome !== 'confirm' && (
        <Notice tone="info" title="Saved">
          <p data-testid="form-saved">{result.data.message}</p>
          {(result.data.added ?? []).length > 0 && (
            <p data-testid="form-added">Also written because a complete entry needs them: {(result.data.added ?? []).join(', ')}.</p>
          )}
          {result.data.warnings
            .filter((w) => !w.startsWith('Also written because'))
            .map((w) => (
              <p key={w}>{w}</p>
            ))}
        </Notice>
      )}

      <Section title={kind === 'stoney-cloud' ? 'Schedule fields (unused on stoney cloud)' : 'Schedule (as fc-brokerd reads it)'}>
        {kind === 'stoney-cloud' && (
          <p className="mb-3 text-muted" data-testid="cron-unused">
            On stoney cloud nothing reads sstCron*: the node&apos;s crontab line starts the wrapper (shown above). These fields stay in the
            entry as they are; change them only to keep them tidy.
          </p>
        )}
        <CronEditor
          timeZone={timeZone}
          value={cron}
          initialPlan={initialCron}
          initialPreview={preview}
          errors={cronErrors}
          onChange={(c) => setValues((v) => ({ ...v, ...formOfCronPlan(c) }))}
        />
      </Section>

      <Section title="Retention">
        <div className="grid gap-4 md:grid-cols-[16rem_1fr]">
          {textField('iterations')}
          <RetentionPreview retention={retention} keep={keep} current={current} kind={kind} />
        </div>
      </Section>

      <Section title="Directories">
        <div className="grid gap-4 md:grid-cols-3">
          {TEXT_FIELDS.filter((f) => f.group === 'files').map((f) => textField(f.key, f.placeholder))}
        </div>
      </Section>

      <Section title="Disk images and directories: ownership and permissions">
        <div className="grid gap-4 md:grid-cols-3">
          <Field
            id="diskImageFormat"
            label={text('diskImageFormat')?.label ?? 'Disk image format'}
            hint={text('diskImageFormat')?.description}
            error={errors.diskImageFormat}
          >
            <Select
              id="diskImageFormat"
              name="diskImageFormat"
              value={values.diskImageFormat}
              invalid={Boolean(errors.diskImageFormat)}
              onChange={(e) => set('diskImageFormat', e.target.value)}
            >
              {!formats.includes(values.diskImageFormat) && (
                <option value={values.diskImageFormat}>{values.diskImageFormat || '(not set)'}</option>
              )}
              {formats.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </Select>
          </Field>
          {TEXT_FIELDS.filter((f) => f.group === 'ownership').map((f) => textField(f.key, f.placeholder))}
        </div>
      </Section>

      <Section title="Behaviour">
        <div className="grid gap-4 md:grid-cols-3">
          {flag('restoreWithoutState')}
          {flag('forceStart')}
          {textField('mergeBandwidth')}
        </div>
      </Section>

      <div className="flex items-center gap-3">
        <Button type="submit" pending={pending} pendingLabel="Saving…">
          {submitLabel}
        </Button>
        <p className="text-xs text-muted">
          Only the values you change are written, plus any a complete entry lacks (named after saving): the daemons never fill gaps from
          another level.
        </p>
      </div>
    </form>
  );
}
