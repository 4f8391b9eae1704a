import { formatDateTime, formatUtc } from './format';

/** A point in time in the console's time zone, with UTC on hover. */
export function DateTime({ value, timeZone }: { value: string | Date | null; timeZone: string }) {
  if (!value) return <span className="text-muted">—</span>;
  const iso = typeof value === 'string' ? value : value.toISOString();
  return (
    <time dateTime={iso} title={formatUtc(iso)} className="whitespace-nowrap">
      {formatDateTime(iso, timeZone)}
    </time>
  );
}
