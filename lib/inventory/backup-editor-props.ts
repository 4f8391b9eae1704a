import { PARAMETERS } from '@/lib/backup/config';
import { DISK_IMAGE_FORMATS } from '@/lib/backup/config-schema';
import { nodeDaemonReason } from '@/lib/backup/programs';
import type { BackupEditorView } from './backup-editor';
import { configRows, planSummary } from './config-rows';

/** The plain data the configuration pages hand to their components (their client components import the actions). */
export function toEditorProps(view: BackupEditorView) {
  const plan = planSummary(view.effective);
  return {
    target: view.target,
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
      reason: nodeDaemonReason(view.effective, view.target.level),
      entryDn: view.effective.entry?.dn ?? null,
      rows: configRows(view.effective),
      warnings: plan.warnings,
      planText: plan.text,
    },
    form: view.form,
    preview: view.preview,
    help: PARAMETERS.map((p) => ({ key: p.key, label: p.label, description: p.description })),
    formats: DISK_IMAGE_FORMATS,
    retention: { machines: view.retention, omitted: view.retentionOmitted, source: view.retentionSource, problem: view.retentionProblem },
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
  };
}
