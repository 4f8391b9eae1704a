import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { cn } from './cn';

const control = 'rounded-md border bg-surface px-2.5 py-1.5 focus:outline-2 focus:outline-brand';

/** A form control fills its field; in a row of filters it is as wide as its content. */
type Width = { width?: 'full' | 'auto' };

/** A labelled form field with its hint and, when there is one, its error right below it. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="font-medium">
        {label}
      </label>
      {children}
      {hint && !error && <p className="text-xs text-muted">{hint}</p>}
      {error && (
        <p id={`${id}-error`} className="text-xs text-status-failed" data-testid={`error-${id}`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function TextInput({
  invalid,
  width = 'full',
  className,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean } & Width) {
  return (
    <input
      aria-invalid={invalid || undefined}
      aria-describedby={invalid && props.id ? `${props.id}-error` : undefined}
      className={cn(
        control,
        width === 'full' && 'w-full',
        invalid ? 'border-status-failed' : 'border-line',
        'font-mono text-sm',
        className,
      )}
      {...props}
    />
  );
}

export function Select({
  invalid,
  width = 'full',
  className,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean } & Width) {
  return (
    <select
      aria-invalid={invalid || undefined}
      aria-describedby={invalid && props.id ? `${props.id}-error` : undefined}
      className={cn(control, width === 'full' && 'w-full', invalid ? 'border-status-failed' : 'border-line', className)}
      {...props}
    />
  );
}

/**
 * `destructive` is for the one button that changes a live machine (confirming a restore).
 * `pending`: the action it started is running; the button is disabled and says `pendingLabel`
 * instead of its label, so a second click cannot send the action twice.
 */
export function Button({
  tone = 'primary',
  className,
  pending = false,
  pendingLabel,
  disabled,
  children,
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & {
  tone?: 'primary' | 'secondary' | 'danger' | 'destructive';
  pending?: boolean;
  pendingLabel?: string;
}) {
  const tones = {
    primary: 'bg-brand text-brand-ink border-brand',
    secondary: 'bg-surface text-ink border-line hover:bg-canvas',
    danger: 'bg-surface text-status-failed border-status-failed/40 hover:bg-status-failed-bg',
    destructive: 'bg-status-failed text-white border-status-failed',
  };
  return (
    <button
      className={cn('rounded-md border px-3 py-1.5 font-semibold disabled:opacity-60', tones[tone], className)}
      disabled={disabled || pending}
      {...props}
    >
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
