/**
 * What a page shows at once while its server reads the directory (and, for some pages, the
 * nodes): the page's title and a quiet placeholder, so navigation answers before the data comes.
 *
 * Only for pages that are never "not found" (overview, lists, history, nodes, configuration, audit): a
 * loading boundary sends the response's status before the page has read anything, so a machine's
 * or a pool's page, which answers 404 for an unknown UUID, has none. Each such page sits in a
 * route group of its own ((overview), machines/(list), pools/(list)) so that its loading.tsx does
 * not wrap the pages below it.
 */
export function PageLoading({ title, reading }: { title: string; reading: string }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" data-testid="page-loading">
      <div className="mb-5">
        <h1 className="text-xl font-semibold">{title}</h1>
        <p className="mt-1 text-muted">{reading}</p>
      </div>
      <div className="space-y-3" aria-hidden="true">
        {[0, 1, 2, 3, 4].map((row) => (
          <div key={row} className="h-8 animate-pulse rounded-md bg-line/60" />
        ))}
      </div>
    </div>
  );
}
