'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import { fieldErrorsOf, formDataToObject } from '@/lib/actions';
import { safeNextPath } from '@/lib/auth/next-path';
import { requestAddress } from '@/lib/auth/session';
import { signIn, signOut } from '@/lib/auth/sign-in';
import { isAppError } from '@/lib/errors';

const loginSchema = z.object({
  login: z.string().trim().min(1, 'Enter your login name.').max(128, 'A login name has at most 128 characters.'),
  password: z.string().min(1, 'Enter your password.').max(1024, 'This password is too long.'),
  next: z.string().max(2048).optional(),
});

export async function loginAction(_previous: ActionResult<null> | null, form: FormData): Promise<ActionResult<null>> {
  // Anyone can post to an action with any arguments; only the sign-in form's FormData is read.
  const parsed = loginSchema.safeParse(form instanceof FormData ? formDataToObject(form) : {});
  if (!parsed.success) return { ok: false, error: 'Enter your login name and password.', fieldErrors: fieldErrorsOf(parsed.error) };
  const result = await signIn(parsed.data.login, parsed.data.password, await requestAddress());
  if (!result.ok) return { ok: false, error: result.error };
  redirect(safeNextPath(parsed.data.next));
}

export async function logoutAction(): Promise<void> {
  try {
    await signOut();
  } catch (error) {
    if (!isAppError(error)) throw error;
    // The cookie is gone from this browser, but other copies stay valid until the directory answers again.
    console.error(`[login] sign-out could not end the session in the directory: ${error.detail ?? error.message}`);
    redirect('/login?signout=incomplete');
  }
  redirect('/login');
}
