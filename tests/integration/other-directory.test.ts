import { describe, expect, it } from 'vitest';
import { withDirectory } from './env-setup';
import { OTHER } from '../../scripts/directory/other-directory';
import { login } from '@/lib/auth/login';
import { readFleet } from '@/lib/inventory/fleet';
import { readMachineView } from '@/lib/inventory/machine';

withDirectory('otherDirectory');

describe('a different directory with awkward names', () => {
  it('is read without code changes', async () => {
    const fleet = await readFleet();
    expect(fleet.problems).toEqual([]);
    expect(fleet.machines.map((m) => m.name).sort()).toEqual(OTHER.machines.map((m) => m.name).sort());
    expect(fleet.pools.map((p) => p.name).sort()).toEqual(OTHER.pools.map((p) => p.name).sort());
    for (const m of OTHER.machines) {
      const view = await readMachineView(m.uuid);
      expect(view.machine.name).toBe(m.name);
    }
  });

  it('signs in a login name with a space and non-ASCII characters', async () => {
    expect(await login(OTHER.logins.admin.login, OTHER.logins.admin.password)).toMatchObject({ ok: true });
  });
});
