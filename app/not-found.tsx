import Link from 'next/link';
import { connection } from 'next/server';

/**
 * Any address the console does not know. Rendered per request (not prerendered) so its scripts
 * carry the request's CSP nonce like every other page.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="rounded-lg border border-line bg-surface p-6">
        <h1 className="text-lg font-semibold">Not found</h1>
        <p className="mt-1 text-muted">The backup console has no page at this address.</p>
        <Link href="/" className="mt-3 inline-block text-brand hover:underline">
          Back to the overview
        </Link>
      </div>
    </main>
  );
}
