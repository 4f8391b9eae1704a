import { describe, expect, it } from 'vitest';
import {
  allGrants,
  can,
  canEverywhere,
  describeGrants,
  grantsFrom,
  hasAnyGrant,
  noGrants,
  parseGrantRules,
  type GrantRules,
} from './capabilities';

const P1 = '356a6a56-652e-401c-961e-d56aa7c2c4a7';
const P2 = 'a83dfea2-d280-4969-a5d4-1f2760315e31';

describe('grant rules from the configuration', () => {
  it('reads groups and roles, with and without pools, separated by ; or new lines', () => {
    const { rules, problems } = parseGrantRules(
      'CONSOLE_RESTORE_GRANTS',
      `group:backup-operators; role : VM-Admin @ ${P1.toUpperCase()},${P2}\ngroup:Production team@${P1}`,
    );
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      { kind: 'group', name: 'backup-operators', pools: null },
      { kind: 'role', name: 'VM-Admin', pools: [P1, P2] },
      { kind: 'group', name: 'Production team', pools: [P1] },
    ]);
    expect(parseGrantRules('X', undefined)).toEqual({ rules: [], problems: [] });
    expect(parseGrantRules('X', ' ; ;')).toEqual({ rules: [], problems: [] });
  });

  it('names each mistake on its own line, with the variable and the item', () => {
    const { rules, problems } = parseGrantRules(
      'CONSOLE_VIEW_GRANTS',
      `viewers; user:x; group:; role:Admin@not-a-pool; group:a@; group:b@${P1},${'x'.repeat(90)}`,
    );
    expect(rules).toEqual([]);
    expect(problems).toEqual([
      'CONSOLE_VIEW_GRANTS item "viewers" must be group:<name> or role:<name>, optionally followed by @<pool UUID>,<pool UUID>…',
      'CONSOLE_VIEW_GRANTS item "user:x" must be group:<name> or role:<name>, optionally followed by @<pool UUID>,<pool UUID>…',
      'CONSOLE_VIEW_GRANTS item "group:" must be group:<name> or role:<name>, optionally followed by @<pool UUID>,<pool UUID>…',
      'CONSOLE_VIEW_GRANTS item "role:Admin@not-a-pool": "not-a-pool" is not a pool UUID',
      'CONSOLE_VIEW_GRANTS item "group:a@": "" is not a pool UUID',
      expect.stringMatching(/^CONSOLE_VIEW_GRANTS item "group:b@.{60,}…": "x{40}" is not a pool UUID$/),
    ]);
  });
});

describe('a person’s grants', () => {
  const rules: GrantRules = {
    view: [{ kind: 'group', name: 'viewers', pools: null }],
    configure: [{ kind: 'group', name: 'team', pools: [P1] }],
    restore: [
      { kind: 'group', name: 'team', pools: [P1] },
      { kind: 'role', name: 'VM-Admin', pools: [P2] },
    ],
  };
  const matching =
    (...names: string[]) =>
    (rule: { name: string }) =>
      names.includes(rule.name);

  it('configure and restore bring view of the same pools; grants for several pools add up', () => {
    const team = grantsFrom(rules, matching('team', 'VM-Admin'));
    expect(team).toEqual({
      view: { all: false, pools: [P1, P2].sort() },
      configure: { all: false, pools: [P1] },
      restore: { all: false, pools: [P1, P2].sort() },
    });
    expect(can(team, 'restore', P2)).toBe(true);
    expect(can(team, 'configure', P2)).toBe(false);
    expect(can(team, 'configure', P1.toUpperCase())).toBe(true);
    expect(can(team, 'configure')).toBe(true);
    // A machine without a pool is only covered by a grant for every pool.
    expect(can(team, 'view', null)).toBe(false);
    expect(canEverywhere(team, 'view')).toBe(false);
    expect(describeGrants(team)).toBe('view in 2 pools, configure in 1 pool, restore in 2 pools');
  });

  it('a grant for every pool covers every pool and machines without one', () => {
    const viewer = grantsFrom(rules, matching('viewers', 'team'));
    expect(viewer.view).toEqual({ all: true });
    expect(can(viewer, 'view', null)).toBe(true);
    expect(can(viewer, 'restore', P2)).toBe(false);
    expect(describeGrants(allGrants())).toBe('view, configure, restore');
  });

  it('nobody matching nothing has nothing', () => {
    const none = grantsFrom(rules, matching());
    expect(none).toEqual(noGrants());
    expect(hasAnyGrant(none)).toBe(false);
    expect(can(none, 'view')).toBe(false);
    expect(describeGrants(none)).toBe('nothing');
  });
});
