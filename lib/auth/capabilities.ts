/**
 * What a person may do in the console, as plain data: three capabilities, each for every pool or
 * for a list of pools. Pure logic (no directory, no request), shared by lib/env (parsing the grant
 * rules), lib/auth (working out a person's grants) and the pages (what to show).
 */

export const CAPABILITIES = ['view', 'configure', 'restore'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One configured rule: members of a group, or holders of a role, get a capability (in some pools). */
export interface GrantRule {
  kind: 'group' | 'role';
  /** As written in the configuration; matched case-insensitively. */
  name: string;
  /** Lower-case pool UUIDs, or null for every pool. */
  pools: string[] | null;
}

export type GrantRules = Record<Capability, GrantRule[]>;

/** Where a person may use a capability: every pool (and machines without one), or the listed pools. */
export type PoolScope = { all: true } | { all: false; pools: string[] };

export type Grants = Record<Capability, PoolScope>;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SHAPE = 'must be group:<name> or role:<name>, optionally followed by @<pool UUID>,<pool UUID>…';

/**
 * `group:backup-operators; role:VM-Admin@356a6a56-652e-401c-961e-d56aa7c2c4a7` — items separated
 * by `;` or new lines, because role and group names may contain spaces and commas.
 */
export function parseGrantRules(variable: string, text: string | undefined): { rules: GrantRule[]; problems: string[] } {
  const rules: GrantRule[] = [];
  const problems: string[] = [];
  for (const raw of (text ?? '').split(/[;\n]/)) {
    const item = raw.trim();
    if (item === '') continue;
    const shown = JSON.stringify(item.length > 80 ? `${item.slice(0, 80)}…` : item);
    const match = /^(group|role)\s*:\s*([^@]*?)\s*(?:@(.*))?$/i.exec(item);
    if (!match || match[2] === '') {
      problems.push(`${variable} item ${shown} ${SHAPE}`);
      continue;
    }
    let pools: string[] | null = null;
    if (match[3] !== undefined) {
      const listed = match[3].split(',').map((p) => p.trim());
      const bad = listed.filter((p) => !uuid.test(p));
      if (listed.length === 0 || bad.length > 0) {
        problems.push(
          `${variable} item ${shown}: ${bad.length > 0 ? `${bad.map((b) => JSON.stringify(b.slice(0, 40))).join(', ')} ${bad.length === 1 ? 'is not a pool UUID' : 'are not pool UUIDs'}` : 'names no pool after @'}`,
        );
        continue;
      }
      pools = [...new Set(listed.map((p) => p.toLowerCase()))];
    }
    rules.push({ kind: match[1].toLowerCase() as GrantRule['kind'], name: match[2], pools });
  }
  return { rules, problems };
}

export function noGrants(): Grants {
  return { view: { all: false, pools: [] }, configure: { all: false, pools: [] }, restore: { all: false, pools: [] } };
}

export function allGrants(): Grants {
  return { view: { all: true }, configure: { all: true }, restore: { all: true } };
}

function widen(scope: PoolScope, pools: string[] | null): PoolScope {
  if (scope.all) return scope;
  if (pools === null) return { all: true };
  return { all: false, pools: [...new Set([...scope.pools, ...pools])].sort() };
}

/**
 * The grants of a person who matches the given rules. Configuring or restoring a machine means
 * seeing it, so configure and restore imply view for the same pools.
 */
export function grantsFrom(rules: GrantRules, matches: (rule: GrantRule) => boolean): Grants {
  const grants = noGrants();
  for (const capability of CAPABILITIES) {
    for (const rule of rules[capability]) {
      if (!matches(rule)) continue;
      grants[capability] = widen(grants[capability], rule.pools);
      if (capability !== 'view') grants.view = widen(grants.view, rule.pools);
    }
  }
  return grants;
}

/**
 * `pool` undefined: anywhere at all (in at least one pool). `pool` null: a machine without a pool,
 * which only a grant for every pool covers. Otherwise: in that pool.
 */
export function can(grants: Grants, capability: Capability, pool?: string | null): boolean {
  const scope = grants[capability];
  if (scope.all) return true;
  if (pool === undefined) return scope.pools.length > 0;
  if (pool === null) return false;
  return scope.pools.includes(pool.toLowerCase());
}

export function canEverywhere(grants: Grants, capability: Capability): boolean {
  return grants[capability].all;
}

export function hasAnyGrant(grants: Grants): boolean {
  return CAPABILITIES.some((c) => can(grants, c));
}

/** For the server log and the page header: "view, configure, restore" or "view in 1 pool, restore in 1 pool". */
export function describeGrants(grants: Grants): string {
  const parts = CAPABILITIES.flatMap((c) => {
    const scope = grants[c];
    if (scope.all) return [c];
    if (scope.pools.length === 0) return [];
    return [`${c} in ${scope.pools.length} pool${scope.pools.length === 1 ? '' : 's'}`];
  });
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/** What each capability lets a person do, for refusals ("Your account may not …"). */
export const CAPABILITY_VERBS: Record<Capability, string> = {
  view: 'see machines',
  configure: 'change backup configuration or exclude machines',
  restore: 'restore machines',
};
