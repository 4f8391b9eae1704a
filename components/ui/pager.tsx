import Link from 'next/link';

export function Pager({
  page,
  pages,
  total,
  size,
  href,
}: {
  page: number;
  pages: number;
  total: number;
  size: number;
  href: (page: number) => string;
}) {
  const first = total === 0 ? 0 : (page - 1) * size + 1;
  const last = Math.min(total, page * size);
  const button = 'rounded-md border border-line bg-surface px-3 py-1';
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center justify-between">
      <p className="text-muted">
        Showing {first}–{last} of {total}
      </p>
      <div className="flex items-center gap-2">
        {page > 1 ? (
          <Link className={button} href={href(page - 1)} rel="prev">
            ← Previous
          </Link>
        ) : (
          <span className={`${button} opacity-40`}>← Previous</span>
        )}
        <span className="tabular-nums">
          Page {page} of {pages}
        </span>
        {page < pages ? (
          <Link className={button} href={href(page + 1)} rel="next">
            Next →
          </Link>
        ) : (
          <span className={`${button} opacity-40`}>Next →</span>
        )}
      </div>
    </nav>
  );
}
