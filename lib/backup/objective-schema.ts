import { z } from 'zod';
import { MAX_OBJECTIVE_MS, MIN_OBJECTIVE_MS } from './objective';

const HOUR = 3_600_000;

/**
 * The objective form: a number of hours as typed (decimals allowed), or empty for "use the
 * default" (each machine's plan period plus the margin, or the cloud-wide objective for a pool).
 */
export const objectiveHoursSchema = z
  .string({ error: 'Enter a number of hours, or leave it empty for the default.' })
  .trim()
  .transform((text, ctx) => {
    if (text === '') return null;
    const hours = Number(text.replace(',', '.'));
    if (!Number.isFinite(hours)) {
      ctx.addIssue({ code: 'custom', message: 'Enter a number of hours, such as 30 or 1.5.' });
      return z.NEVER;
    }
    const ms = Math.round(hours * HOUR);
    if (ms < MIN_OBJECTIVE_MS || ms > MAX_OBJECTIVE_MS) {
      ctx.addIssue({ code: 'custom', message: `Enter between ${MIN_OBJECTIVE_MS / HOUR} and ${MAX_OBJECTIVE_MS / HOUR} hours.` });
      return z.NEVER;
    }
    return ms;
  });

