import { DEMO } from '../../scripts/directory/demo-directory';

/** A machine of the demo directory by its display name. */
export function demoMachine(name: string) {
  const m = DEMO.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
}

/** A pool of the demo directory by its name. */
export function demoPool(name: string) {
  const p = DEMO.pools.find((x) => x.name === name);
  if (!p) throw new Error(`demo pool ${name} missing`);
  return p;
}
