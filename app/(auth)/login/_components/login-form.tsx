'use client';

import { useActionState } from 'react';
import { loginAction } from '../actions';

export function LoginForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState(loginAction, null);
  const fieldErrors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  return (
    <form action={action} className="space-y-4" noValidate>
      {state && !state.ok && (
        <p role="alert" className="rounded-md border border-status-failed/30 bg-status-failed-bg px-3 py-2 text-status-failed">
          {state.error}
        </p>
      )}
      <input type="hidden" name="next" value={next ?? ''} />
      <label className="block">
        <span className="mb-1 block font-medium">Login name</span>
        <input name="login" autoComplete="username" required className="w-full rounded-md border border-line px-3 py-2 focus:outline-2 focus:outline-brand" />
        {fieldErrors.login && <span className="mt-1 block text-status-failed">{fieldErrors.login}</span>}
      </label>
      <label className="block">
        <span className="mb-1 block font-medium">Password</span>
        <input name="password" type="password" autoComplete="current-password" required className="w-full rounded-md border border-line px-3 py-2 focus:outline-2 focus:outline-brand" />
        {fieldErrors.password && <span className="mt-1 block text-status-failed">{fieldErrors.password}</span>}
      </label>
      <button type="submit" disabled={pending} className="w-full rounded-md bg-brand px-4 py-2 font-semibold text-brand-ink disabled:opacity-60">
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
