'use client';

import { Button } from '@/components/ui/field';

export default function ConsoleError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-status-failed/30 bg-status-failed-bg p-6">
      <h1 className="text-lg font-semibold text-status-failed">Something went wrong</h1>
      <p className="mt-1">The page could not be shown. The details are in the console&apos;s log.</p>
      <Button type="button" onClick={reset} className="mt-3">
        Try again
      </Button>
    </div>
  );
}
