import type { FleetMachine } from './fleet';

/** The plain row a machine table gets: no Date objects, nothing the browser does not show. */
export function toMachineRow(m: FleetMachine) {
  return {
    uuid: m.uuid,
    name: m.name,
    poolName: m.poolName,
    node: m.node,
    type: m.type,
    status: m.status,
    protection: m.protection,
    activity: m.activity ? { kind: m.activity.kind, text: m.activity.text } : null,
    blocked: m.blocked,
    reason: m.reason,
    latestMode: m.latest?.mode ?? null,
    lastGood: m.lastGood?.toISOString() ?? null,
    configLevel: m.configLevel,
    excluded: m.excluded,
    backupCandidate: m.backupCandidate,
  };
}
