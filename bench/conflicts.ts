/**
 * Run with `npx tsx bench/conflicts.ts`. Compares a large machine (about 200 directory
 * attributes, a domain XML of about 100 KB) with a live state that differs in a handful of
 * places, then applies decisions, and prints the median time of computeConflicts +
 * applyDecisions. The target is under 50 ms: the comparison runs on every page load of the
 * restore wizard and again on confirmation.
 */
import { applyDecisions, computeConflicts, type Decisions } from '../lib/diff/conflicts';
import { conflictInput, domainXml, machine, machineEntries, type MachineFixture } from '../tests/fixtures/diff-machine';

const RUNS = 60;
const GiB = 1024 ** 3;

function disks(count: number, salt: string): MachineFixture['disks'] {
  const hex = (n: number) => n.toString(16).padStart(12, '0');
  return Array.from({ length: count }, (_, i) => ({
    target: `vd${String.fromCharCode(97 + i)}`,
    volume: `5b1cbb2c-7d57-4f70-8ad1-${salt}${hex(i).slice(salt.length)}`,
    capacityBytes: (20 + i) * GiB,
  }));
}

/** PCIe root ports, vCPU pinning and CPU features, as a large hand-tuned domain carries them. */
function padding(variant: 'backup' | 'live'): { devices: string; domain: string } {
  const ports = Array.from({ length: 300 }, (_, i) => {
    const chassis = variant === 'live' && i === 40 ? 99 : i + 1;
    return `    <controller type='pci' index='${i + 1}' model='pcie-root-port'>
      <model name='pcie-root-port'/>
      <target chassis='${chassis}' port='0x${(0x10 + i).toString(16)}'/>
      <alias name='pci.${i + 1}'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x${(i % 32).toString(16).padStart(2, '0')}' function='0x${i % 8}' multifunction='on'/>
    </controller>
`;
  }).join('');
  const pins = Array.from({ length: 64 }, (_, i) => `    <vcpupin vcpu='${i}' cpuset='${variant === 'live' && i === 7 ? 63 : i}'/>\n`).join(
    '',
  );
  const features = Array.from({ length: 60 }, (_, i) => `    <feature policy='require' name='feat${i}'/>\n`).join('');
  return {
    devices: ports,
    domain: `  <cputune>\n${pins}  </cputune>\n  <cpu mode='custom' match='exact' check='full'>\n    <model fallback='forbid'>Skylake-Server</model>\n${features}  </cpu>\n`,
  };
}

function bigXml(m: MachineFixture, variant: 'backup' | 'live'): string {
  const pad = padding(variant);
  return domainXml(m).replace('    <memballoon', `${pad.devices}    <memballoon`).replace('  <os>', `${pad.domain}  <os>`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const backup = machine({ disks: disks(12, ''), description: 'database primary' });
const live = machine({
  disks: [...disks(12, '').map((d, i) => (i === 3 ? { ...d, volume: d.volume.replace(/.$/, 'f') } : d)), ...disks(13, 'ff').slice(12)],
  memoryBytes: 8 * GiB,
  videoVram: 16384,
});
const input = { ...conflictInput(backup, live), backupXml: bigXml(backup, 'backup'), liveXml: bigXml(live, 'live') };
const attributes = machineEntries(backup, { history: false }).reduce((n, e) => n + e.attributes.length, 0);

const WARM_UP = 10;
let conflicts = 0;
const computeTimes: number[] = [];
const applyTimes: number[] = [];
for (let run = -WARM_UP; run < RUNS; run += 1) {
  const t0 = performance.now();
  const set = computeConflicts(input);
  const t1 = performance.now();
  const decisions: Decisions = Object.fromEntries(set.conflicts.map((c, i) => [c.id, { choice: i % 2 === 0 ? 'backup' : 'live' }]));
  const result = applyDecisions(input, set, decisions);
  const t2 = performance.now();
  if (result.agreement.length > 0) throw new Error(`The resolved state disagrees: ${result.agreement.join(' ')}`);
  conflicts = set.conflicts.length;
  if (run < 0) continue;
  computeTimes.push(t1 - t0);
  applyTimes.push(t2 - t1);
}
const total = computeTimes.map((t, i) => t + applyTimes[i]);

console.log(
  `machine: ${attributes} directory attributes, domain XML ${(input.backupXml.length / 1024).toFixed(0)} KB (live ${(input.liveXml.length / 1024).toFixed(0)} KB), ${conflicts} conflicts`,
);
console.log(`computeConflicts  median ${median(computeTimes).toFixed(1)} ms`);
console.log(`applyDecisions    median ${median(applyTimes).toFixed(1)} ms`);
console.log(`together          median ${median(total).toFixed(1)} ms over ${RUNS} runs (target < 50 ms)`);
