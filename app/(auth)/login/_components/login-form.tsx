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
      <Credential name="login" label="Login name" autoComplete="username" error={fieldErrors.login} />
      <Credential name="password" label="Password" type="password" autoComplete="current-password" error={fieldErrors.password} />
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-brand px-4 py-2 font-semibold text-brand-ink disabled:opacity-60"
      >
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

/** One field of the sign-in form, its label around it and its error below. */
function Credential({
  name,
  label,
  type,
  autoComplete,
  error,
}: {
  name: string;
  label: string;
  type?: string;
  autoComplete: string;
  error?: string;
}) {
  return (
    <label className="block">
      <span className="mb-1 block font-medium">{label}</span>
      <input
        name={name}
        type={type}
        autoComplete={autoComplete}
        required
        className="w-full rounded-md border border-line px-3 py-2 focus:outline-2 focus:outline-brand"
      />
      {error && <span className="mt-1 block text-status-failed">{error}</span>}
    </label>
  );
}
