import type { MachineSchedule } from '@/lib/inventory/machine';
import { formatUtcCompact } from '@/lib/cron';
import { Notice } from '../ui/card';
import { Table, Td, Th } from '../ui/table';

/** When the machine is backed up, as the program that decides reads it, with the iteration names it will write. */
export function MachineScheduleView({ schedule }: { schedule: MachineSchedule }) {
  if (schedule.by === 'broker') {
    return (
      <div className="space-y-2" data-testid="machine-schedule">
        <p>
          <span className="text-muted">fc-brokerd&apos;s plan ({schedule.timeZone}): </span>
          <span className="font-medium">{schedule.text}</span>
        </p>
        {schedule.refusal && <p className="text-status-failed">{schedule.refusal}</p>}
        {schedule.zoneNote && <p className="text-xs text-status-stale">{schedule.zoneNote}</p>}
        {schedule.failures > 0 && (
          <p className="text-status-failed">
            Its date arithmetic fails for this plan on {schedule.failures} days of the coming four years; no machine&apos;s backup starts on
            those days.
          </p>
        )}
        {schedule.misreadings.length > 0 && (
          <ul className="list-disc pl-5 text-xs text-muted">
            {schedule.misreadings.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        {schedule.runs.length > 0 && (
          <Table label="Next runs by fc-brokerd">
            <thead>
              <tr>
                <Th>Local</Th>
                <Th>UTC</Th>
                <Th>Iteration</Th>
              </tr>
            </thead>
            <tbody>
              {schedule.runs.map((r) => (
                <tr key={`${r.iterationName}-${r.utc}`}>
                  <Td className="font-mono text-xs">{r.local}</Td>
                  <Td className="font-mono text-xs">{r.utc}</Td>
                  <Td className="font-mono text-xs" data-testid="predicted-iteration">
                    {r.iterationName}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {schedule.differs && schedule.cronRuns.length > 0 && (
          <p className="text-xs text-muted" data-testid="cron-differs">
            Cron would read the same fields as {schedule.cronRuns.map((r) => r.local).join(', ')}; fc-brokerd does not (see above), and its
            reading is what happens.
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="space-y-2" data-testid="machine-schedule">
      <p className="text-muted">
        On stoney cloud the node&apos;s crontab starts the wrapper; the sstCron* fields are read by nothing. Time zone{' '}
        {schedule.timeZone.zone} ({schedule.timeZone.fromNode ? 'read from the node' : 'NODE_TIME_ZONE: the node did not tell'}).
      </p>
      {schedule.lines === null ? (
        <Notice tone="warning">
          The crontab of node {schedule.node ?? '(none)'} could not be read: {schedule.reason}
        </Notice>
      ) : schedule.lines.length === 0 ? (
        <p className="text-status-failed">
          No crontab line on node {schedule.node} runs LDAPKVMWrapper.pl: nothing backs up the machines there.
        </p>
      ) : (
        schedule.lines.map((l) => (
          <p key={`${l.source} ${l.line}`} className="font-mono text-xs" data-testid="crontab-line">
            {l.line} <span className="font-sans text-muted">({l.source})</span>
          </p>
        ))
      )}
      {schedule.runs.length > 0 && (
        <Table label="Next runs of the wrapper">
          <thead>
            <tr>
              <Th>On the node</Th>
              <Th>UTC</Th>
              <Th>Iteration (UTC start)</Th>
            </tr>
          </thead>
          <tbody>
            {schedule.runs.map((r) => (
              <tr key={r.utc}>
                <Td className="font-mono text-xs">{r.local}</Td>
                <Td className="font-mono text-xs">{r.utc}</Td>
                <Td className="font-mono text-xs" data-testid="predicted-iteration">
                  {formatUtcCompact(r.at.getTime()).slice(0, 13)}ssZ
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
