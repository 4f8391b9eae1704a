import { PARAMETERS } from '@/lib/backup/config';
import { DISK_IMAGE_FORMATS } from '@/lib/backup/config-schema';
import type { BackupEditorView } from './backup-editor';
import { configRows, planSummary } from './config-rows';

// resolveEffectiveConfig explains the choice for a machine; on a pool's page the subject is the pool.
const POOL_REASONS: Record<string, string> = {
  pool: "The pool's ou=backup carries the backup configuration class, so it applies as a whole to every machine of the pool without a configuration of its own.",
  cloud: 'The pool has no backup configuration of its own, so the cloud-wide configuration applies as a whole to its machines.',
};

/** The plain data the configuration pages hand to their components (the actions are added by the page). */
export function toEditorProps(view: BackupEditorView) {
  const plan = planSummary(view.effective);
  return {
    level: view.target.level,
    uuid: view.target.level === 'cloud' ? undefined : view.target.uuid,
    dn: view.dn,
    token: view.token,
    hasOwnConfig: view.hasOwnConfig,
    consoleCopy: view.consoleCopy,
    excludedHere: view.excludedHere,
    excluded: view.effective.excluded,
    excludedBy: view.effective.excludedBy,
    inheritedLevel: view.inherited?.level ?? null,
    missing: view.missing,
    summary: {
      level: view.effective.level,
      reason: (view.target.level === 'pool' ? POOL_REASONS[view.effective.level] : undefined) ?? view.effective.reason,
      entryDn: view.effective.entry?.dn ?? null,
      rows: configRows(view.effective),
      warnings: plan.warnings,
      planText: plan.text,
    },
    form: view.form,
    preview: view.preview,
    help: PARAMETERS.map((p) => ({ key: p.key, label: p.label, description: p.description })),
    formats: DISK_IMAGE_FORMATS,
    retention: view.retention,
    retentionOmitted: view.retentionOmitted,
    followers: view.followers,
    overriding: view.overriding,
    clones: view.clones,
    kind: view.kind,
    kindLabel: view.kindLabel,
    kindReason: view.kindReason,
    programs: view.programs,
    nodeSchedules: view.nodeSchedules.map((n) => ({ ...n, lines: n.lines?.map((l) => ({ source: l.source, line: l.line })) ?? null })),
    stillBackedUp: view.stillBackedUp,
    membersExcluded: view.membersExcluded,
    excludedWithPool: view.excludedWithPool,
    exclusionReason: view.effective.exclusionReason,
    nodeTimeZone: view.nodeTimeZone,
    retentionSource: view.retentionSource,
    retentionProblem: view.retentionProblem,
  };
}
