import type { ReactNode } from 'react';
import type { ConfigFormValues } from '@/lib/backup/config-schema';
import type { CronPreview } from '@/lib/cron/preview';
import { Card, Notice } from '../ui/card';
import { TextLink } from '../ui/link';
import { BackupConfigForm, type ParameterHelp, type SaveOutcome } from './config-form';
import { ConfigSummary, type ConfigRowView } from './config-summary';
import { ExcludeOverriders } from './exclude-overriders';
import { ExcludeToggle } from './exclude-toggle';
import { NodeSchedule, type NodeScheduleView } from './node-schedule';
import { ProgramTable, type ProgramRowView } from './program-table';
import { RemoveOverride } from './remove-override';
import type { RetentionMachineView } from './retention-preview';

type Result<T> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string> };

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
  /** Dynamic clones in scope, never backed up (FOSS-Cloud) and so not among the followers. */
  clones: number;
  kind: 'foss-cloud' | 'stoney-cloud';
  kindLabel: string;
  kindReason: string;
  programs: ProgramRowView[];
  nodeSchedules: NodeScheduleView[];
  stillBackedUp: { uuid: string; name: string }[];
  membersExcluded: boolean;
  excludedWithPool: string | null;
  exclusionReason: string;
  nodeTimeZone: string;
  retentionSource: 'directory' | 'node' | 'none';
  retentionProblem: string | null;
  save: (input: Record<string, string>) => Promise<Result<SaveOutcome>>;
  remove?: (input: Record<string, string>) => Promise<Result<{ message: string }>>;
  setExcluded?: (input: { uuid: string; intent: 'exclude' | 'include' }) => Promise<Result<{ message: string; warnings: string[] }>>;
  excludeOverriders?: (input: { uuid: string }) => Promise<Result<{ results: { uuid: string; outcome: string; message: string }[] }>>;
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
      {count} dynamic {count === 1 ? 'clone is' : 'clones are'} not listed: fc-brokerd never backs clones up, so no configuration applies to them.
    </p>
  );
}

function exclusionText(p: BackupEditorProps, what: string): string {
  if (p.level === 'pool' && p.kind === 'stoney-cloud') {
    return p.membersExcluded
      ? "The pool's machines were excluded one by one (stoney cloud reads no pool flag). Including the pool includes exactly those again."
      : "On stoney cloud the wrapper reads the exclude flag only from each machine's own ou=backup, so excluding the pool sets the flag on each of its machines.";
  }
  if (p.level === 'pool') {
    return p.excludedHere
      ? "This pool is excluded: fc-brokerd reads the flag for the pool's machines that have no configuration of their own."
      : `This pool is backed up as planned. Excluding it sets the flag on the pool's ou=backup, which fc-brokerd reads for the machines without a configuration of their own.`;
  }
  if (p.excludedWithPool) return `This ${what} was excluded together with its pool. ${p.exclusionReason}`;
  return p.exclusionReason;
}

/** The configuration page of the cloud, a pool or a machine: what applies and why, exclusion, and the form. */
export function BackupEditor(p: BackupEditorProps) {
  const what = p.level === 'cloud' ? 'cloud' : p.level;
  const ids: Record<string, string> = p.uuid ? { uuid: p.uuid } : {};
  const creating = p.level !== 'cloud' && !p.hasOwnConfig;
  return (
    <div className="space-y-6">
      <p className="text-muted" data-testid="editor-kind">
        Rules of <span className="font-medium text-ink">{p.kindLabel}</span> apply. <TextLink href="/configuration">Why</TextLink>
      </p>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <Card title={p.level === 'machine' ? 'What applies to this machine now' : p.level === 'pool' ? "What applies to this pool's machines now" : 'The cloud-wide configuration'}>
            <ConfigSummary {...p.summary} />
          </Card>
          <Card title="Which program reads which level">
            <ProgramTable rows={p.programs} />
          </Card>
          {p.kind === 'stoney-cloud' && (
            <Card title="Schedule: the nodes' crontab">
              <NodeSchedule rows={p.nodeSchedules} />
            </Card>
          )}
        </div>
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
                    Its own configuration lacks {p.missing.join(', ')}; the daemons do not fill the gaps from another level. Saving the form below writes what is missing.
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
                  ? p.level === 'pool' && p.kind === 'stoney-cloud'
                    ? `This pool's machines are excluded from backup.`
                    : `This ${what} is excluded from backup (the flag is on its own ou=backup).`
                  : p.excluded
                    ? `This ${what} is excluded by ${THE_LEVEL[p.excludedBy ?? 'none']} configuration.`
                    : `This ${what} is backed up as planned.`}
              </p>
              <p className="mb-3 text-muted" data-testid="exclusion-reason">
                {exclusionText(p, what)}
              </p>
              <ExcludeToggle uuid={p.uuid} excluded={p.excludedHere} what={p.level as 'machine' | 'pool'} setExcluded={p.setExcluded} />
              {p.level === 'pool' && p.kind === 'foss-cloud' && p.excludedHere && p.stillBackedUp.length > 0 && p.excludeOverriders && (
                <div className="mt-4 border-t border-line pt-3">
                  <ExcludeOverriders uuid={p.uuid} machines={p.stillBackedUp} exclude={p.excludeOverriders} />
                </div>
              )}
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
          kind={p.kind}
          timeZone={p.nodeTimeZone}
          retentionSource={p.retentionSource}
          retentionProblem={p.retentionProblem}
        />
        {p.remove && <RemoveOverride ids={ids} token={p.token} what={p.level as 'machine' | 'pool'} present={p.hasOwnConfig} remove={p.remove} />}
      </Card>
    </div>
  );
}
