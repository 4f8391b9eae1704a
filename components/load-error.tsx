import { Notice } from './ui/card';

/** Shown instead of a page's content when the directory could not answer, or the person may not see it. */
export function LoadError({ message, code }: { message: string; code?: string }) {
  return (
    <Notice tone="error" title={code === 'forbidden' ? 'Not permitted' : 'This page cannot be shown right now'}>
      <p>{message}</p>
    </Notice>
  );
}

export function EntryProblems({ problems }: { problems: { dn: string; problem: string }[] }) {
  if (problems.length === 0) return null;
  return (
    <Notice tone="warning" title={`${problems.length} malformed ${problems.length === 1 ? 'entry was' : 'entries were'} skipped`}>
      <ul className="mt-1 list-disc pl-5">
        {problems.slice(0, 10).map((p) => (
          <li key={p.dn + p.problem}>
            <code className="font-mono text-xs">{p.dn}</code>: {p.problem}
          </li>
        ))}
      </ul>
      {problems.length > 10 && <p className="mt-1">… and {problems.length - 10} more (see the console log).</p>}
    </Notice>
  );
}
