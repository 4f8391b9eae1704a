'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { fieldErrorsOf, formDataToObject, type ActionResult } from '@/lib/actions';
import { login, loginMessages } from '@/lib/auth/login';
import { endSession, startSession } from '@/lib/auth/session';

const loginSchema = z.object({
  login: z.string().trim().min(1, 'Enter your login name.').max(128, 'A login name has at most 128 characters.'),
  password: z.string().min(1, 'Enter your password.').max(1024, 'This password is too long.'),
  next: z.string().optional(),
});

/** Only local paths, so the login page cannot be used to bounce a user to another site. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[\w\-./%?=&]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

export async function loginAction(_previous: ActionResult<null> | null, form: FormData): Promise<ActionResult<null>> {
  const parsed = loginSchema.safeParse(formDataToObject(form));
  if (!parsed.success) return { ok: false, error: 'Enter your login name and password.', fieldErrors: fieldErrorsOf(parsed.error) };
  const result = await login(parsed.data.login, parsed.data.password);
  if (!result.ok) return { ok: false, error: loginMessages[result.reason] };
  await startSession({ dn: result.person.dn, uid: result.person.uid, login: result.person.login, name: result.person.displayName });
  console.info(`[login] ${result.person.login} (${result.person.dn}) signed in as administrator by ${result.adminBy}`);
  redirect(safeNext(parsed.data.next));
}

export async function logoutAction(): Promise<void> {
  await endSession();
  redirect('/login');
}
