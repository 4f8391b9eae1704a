import type { ReactNode } from 'react';
import type { ConfigFormValues } from '@/lib/backup/config-schema';
import type { CronPreview } from '@/lib/cron/preview';
import { Card, Notice } from '../ui/card';
import { TextLink } from '../ui/link';
import { BackupConfigForm, type ParameterHelp } from './config-form';
import { ConfigSummary, type ConfigRowView } from './config-summary';
import { ExcludeToggle } from './exclude-toggle';
import { RemoveOverride } from './remove-override';
import type { RetentionMachineView } from './retention-preview';

type Result<T> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string> };
type Outcome = { message: string; token: string; warnings: string[] };

export interface BackupEditorProps {
  level: 'cloud' | 'pool' | 'machine';
  uuid?: string;
  dn: string;
  token: string;
  hasOwnConfig: boolean;
  consoleCopy: boolean;
  excludedHere: boolean;
  excluded: boolean;
  excludedBy: string | null;
  inheritedLevel: string | null;
  missing: string[];
  summary: { level: string; reason: string; entryDn: string | null; rows: ConfigRowView[]; warnings: string[]; planText: string };
  form: ConfigFormValues;
  preview: CronPreview;
  help: ParameterHelp[];
  formats: readonly string[];
  retention: RetentionMachineView[];
  retentionOmitted: number;
  followers: { uuid: string; name: string }[];
  overriding: { uuid: string; name: string }[];
  /** Dynamic clones in scope, never backed up and so not among the followers. */
  clones: number;
  save: (input: Record<string, string>) => Promise<Result<Outcome>>;
  remove?: (input: Record<string, string>) => Promise<Result<{ message: string }>>;
  setExcluded?: (input: { uuid: string; intent: 'exclude' | 'include' }) => Promise<Result<{ message: string; warnings: string[] }>>;
}

const THE_LEVEL: Record<string, string> = { machine: "the machine's own", pool: "the pool's", cloud: 'the cloud-wide', none: 'no' };

function MachineList({ machines, empty }: { machines: { uuid: string; name: string }[]; empty: string }): ReactNode {
  if (machines.length === 0) return <p className="text-muted">{empty}</p>;
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1">
      {machines.slice(0, 100).map((m) => (
        <li key={m.uuid}>
          <TextLink href={`/machines/${m.uuid}/backup`}>{m.name}</TextLink>
        </li>
      ))}
      {machines.length > 100 && <li className="text-muted">… and {machines.length - 100} more</li>}
    </ul>
  );
}

function CloneNote({ count }: { count: number }) {
  return (
    <p className="mt-2 text-muted" data-testid="clone-note">
      {count} dynamic {count === 1 ? 'clone is' : 'clones are'} not listed: the scheduler never backs clones up, so no configuration applies to them.
    </p>
  );
}

/** The configuration page of the cloud, a pool or a machine: what applies and why, exclusion, and the form. */
export function BackupEditor(p: BackupEditorProps) {
  const what = p.level === 'cloud' ? 'cloud' : p.level;
  const ids: Record<string, string> = p.uuid ? { uuid: p.uuid } : {};
  const creating = p.level !== 'cloud' && !p.hasOwnConfig;
  return (
    <div className="space-y-6">
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title={p.level === 'machine' ? 'What applies to this machine now' : p.level === 'pool' ? "What applies to this pool's machines now" : 'The cloud-wide configuration'}>
          <ConfigSummary {...p.summary} />
        </Card>
        <div className="space-y-6">
          {p.level !== 'cloud' && (
            <Card title="Inheritance">
              <div className="space-y-3" data-testid="inheritance">
                {p.hasOwnConfig ? (
                  <p>
                    This {what} has its own configuration (<span className="font-mono text-xs">{p.dn}</span>). It replaces {THE_LEVEL[p.inheritedLevel ?? 'none']}{' '}
                    configuration as a whole; nothing is taken over from there.
                  </p>
                ) : (
                  <p>
                    This {what} has no configuration of its own, so {THE_LEVEL[p.inheritedLevel ?? 'none']} configuration applies. Giving it its own starts from
                    exactly those values.
                  </p>
                )}
                {p.consoleCopy && (
                  <Notice tone="info" title="A copy made by the console">
                    The console copied {THE_LEVEL[p.inheritedLevel ?? 'none']} configuration here when it excluded this {what}: the exclude flag can only be stored
                    together with the backup configuration class, which makes the entry a configuration of its own. The values are identical to what it inherited.
                    Including the {what} again removes the copy, unless someone changed it.
                  </Notice>
                )}
                {p.missing.length > 0 && (
                  <Notice tone="warning" title="Incomplete configuration">
                    Its own configuration lacks {p.missing.join(', ')}; the daemons do not fill the gaps from another level. Saving the form below writes every value.
                  </Notice>
                )}
                {p.level === 'pool' && (
                  <>
                    <div>
                      <p className="font-medium">Machines that follow the pool&apos;s level ({p.followers.length})</p>
                      <MachineList machines={p.followers} empty="None." />
                      {p.clones > 0 && <CloneNote count={p.clones} />}
                    </div>
                    <div>
                      <p className="font-medium">Machines with their own configuration ({p.overriding.length})</p>
                      <MachineList machines={p.overriding} empty="None." />
                    </div>
                  </>
                )}
              </div>
            </Card>
          )}
          {p.level === 'cloud' && (
            <Card title="Who follows it">
              <p className="mb-2">
                {p.followers.length} {p.followers.length === 1 ? 'machine follows' : 'machines follow'} the cloud-wide configuration (neither it nor its pool has one
                of its own).
              </p>
              <MachineList machines={p.followers} empty="No machine follows it." />
              {p.clones > 0 && <CloneNote count={p.clones} />}
            </Card>
          )}
          {p.setExcluded && p.uuid && (
            <Card title="Exclusion">
              <p className="mb-3" data-testid="exclusion-state">
                {p.excludedHere
                  ? `This ${what} is excluded from backup (the flag is on its own ou=backup).`
                  : p.excluded
                    ? `This ${what} is excluded by ${THE_LEVEL[p.excludedBy ?? 'none']} configuration.`
                    : `This ${what} is backed up as planned.`}
              </p>
              <ExcludeToggle uuid={p.uuid} excluded={p.excludedHere} what={p.level as 'machine' | 'pool'} setExcluded={p.setExcluded} />
            </Card>
          )}
        </div>
      </div>

      <Card
        title={creating ? `Give this ${what} its own configuration` : p.level === 'cloud' ? 'Edit the cloud-wide configuration' : `Edit this ${what}'s own configuration`}
        actions={
          p.uuid ? (
            <TextLink href={p.level === 'machine' ? `/audit?machine=${p.uuid}` : `/audit?pool=${p.uuid}`}>Change history</TextLink>
          ) : (
            <TextLink href="/audit?scope=cloud">Change history</TextLink>
          )
        }
      >
        {creating && (
          <p className="mb-4 text-muted">
            The form starts from the values that apply now. Saving creates a complete entry: it then replaces {THE_LEVEL[p.inheritedLevel ?? 'none']} configuration for
            this {what}.
          </p>
        )}
        <BackupConfigForm
          ids={ids}
          token={p.token}
          initial={p.form}
          help={p.help}
          formats={p.formats}
          preview={p.preview}
          retention={p.retention}
          retentionOmitted={p.retentionOmitted}
          submitLabel={creating ? `Create the ${what}'s own configuration` : 'Save configuration'}
          save={p.save}
        />
        {p.remove && <RemoveOverride ids={ids} token={p.token} what={p.level as 'machine' | 'pool'} present={p.hasOwnConfig} remove={p.remove} />}
      </Card>
    </div>
  );
}
