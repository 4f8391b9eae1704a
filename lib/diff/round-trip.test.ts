/**
 * The invariant of the conflict view, on the details libvirt's own test domains exercise: after
 * applying decisions, comparing the result with the side that was chosen finds nothing, nothing
 * live that was not decided is lost, and the resolved LDIF and XML agree with each other.
 */
import { describe, expect, it } from 'vitest';
import { agreementProblems, applyDecisions, computeConflicts, type ConflictInput } from './conflicts';
import { readDomain } from './domain-xml';
import { firstValue } from './entries';
import { conflictsLeft, decideAll, decideByMask, expectDifferencesAsDecided } from '../../tests/fixtures/decisions';
import { conflictInput, domainXml, machine, MACHINE_DN, MACHINE_UUID } from '../../tests/fixtures/diff-machine';
import { parseXml } from './xml';
import { findElement, findElements, getAttribute } from './xml-nodes';

const GiB = 1024 ** 3;

/** Applies one choice everywhere and checks the result against the chosen side. */
function settle(input: ConflictInput, choice: 'live' | 'backup') {
  const set = computeConflicts(input);
  const result = applyDecisions(input, set, decideAll(set, choice));
  expect(result.agreement).toEqual([]);
  expect(agreementProblems(result.ldif, result.xml, MACHINE_UUID)).toEqual([]);
  expect(conflictsLeft(input, result, choice).map((c) => `${c.id}: ${c.live} | ${c.backup}`)).toEqual([]);
  const doc = parseXml(result.xml);
  return { set, result, doc, domain: readDomain(doc), vm: result.ldif.find((e) => e.dn === MACHINE_DN)! };
}

const graphics = (attributes: string) => domainXml(machine()).replace("port='5901' autoport='no'", attributes);

describe('graphics with autoport on one side and a fixed port on the other', () => {
  const auto = graphics("port='5900' tlsPort='5904' autoport='yes'");
  const fixed = graphics("port='5901' tlsPort='5902' autoport='no'");

  it('is one decision that carries the fixed ports along', () => {
    const set = computeConflicts({ ...conflictInput(machine(), machine()), backupXml: auto, liveXml: fixed });
    expect(set.conflicts).toEqual([
      expect.objectContaining({
        id: 'xml:devices/graphics[spice]@autoport',
        live: 'no (port 5901, tlsPort 5902)',
        backup: 'yes',
        allowValue: false,
        choices: { live: 'Keep no (port 5901, tlsPort 5902)', backup: 'Take yes from the backup' },
        xml: [
          { path: 'devices/graphics[spice]@autoport', live: 'no', backup: 'yes' },
          { path: 'devices/graphics[spice]@port', live: '5901', backup: '5900 (set by libvirt at start)' },
          { path: 'devices/graphics[spice]@tlsPort', live: '5902', backup: '5904 (set by libvirt at start)' },
        ],
      }),
    ]);
  });

  it('keeps the live fixed port when live is kept, and compares equal afterwards', () => {
    const input = { ...conflictInput(machine(), machine()), backupXml: auto, liveXml: fixed };
    const { doc } = settle(input, 'live');
    const element = findElement(doc.root, 'devices/graphics')!;
    expect([getAttribute(element, 'port'), getAttribute(element, 'tlsPort'), getAttribute(element, 'autoport')]).toEqual([
      '5901',
      '5902',
      'no',
    ]);
    expect(settle(input, 'backup').result.xml).toBe(auto);
  });

  it('gives a fixed backup port back to automatic when live is automatic', () => {
    const input = {
      ...conflictInput(machine(), machine()),
      backupXml: fixed,
      liveXml: graphics("port='5907' tlsPort='5908' autoport='yes'"),
    };
    expect(getAttribute(findElement(settle(input, 'live').doc.root, 'devices/graphics')!, 'autoport')).toBe('yes');
    expect(settle(input, 'backup').result.xml).toBe(fixed);
  });

  it('keeps the live log file of a serial port that the backup had on a pty', () => {
    const serial = (type: string, path: string) =>
      domainXml(machine()).replace(
        "    <input type='tablet'",
        `    <serial type='${type}'>\n      <source path='${path}'/>\n      <target port='0'/>\n      <alias name='serial0'/>\n    </serial>\n    <input type='tablet'`,
      );
    const input = {
      ...conflictInput(machine(), machine()),
      backupXml: serial('pty', '/dev/pts/3'),
      liveXml: serial('file', '/var/log/vm/serial.log'),
    };
    expect(computeConflicts(input).conflicts.map((c) => [c.id, c.live, c.backup])).toEqual([
      ['xml:devices/serial@type', 'file (path /var/log/vm/serial.log)', 'pty'],
    ]);
    expect(getAttribute(findElement(settle(input, 'live').doc.root, 'devices/serial/source')!, 'path')).toBe('/var/log/vm/serial.log');
  });

  it('ignores the network port id, the bridge a network lent, the disk source index and the guest agent socket, which change with every start', () => {
    const running = (portid: string, bridge: string, index: string, id: number) =>
      domainXml(machine())
        .replace("<interface type='bridge'>", "<interface type='network'>")
        .replace("<source bridge='vmbr0'/>", `<source network='default' portid='${portid}' bridge='${bridge}'/>`)
        .replace(/(<source file='[^']*')\/>/, `$1 index='${index}'/>`)
        .replace(
          "    <input type='tablet'",
          `    <channel type='unix'>\n      <source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-${id}-${MACHINE_UUID.slice(0, 20)}/org.qemu.guest_agent.0'/>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n    <input type='tablet'`,
        );
    const input = {
      ...conflictInput(machine(), machine()),
      backupXml: running('8741442c-1a75-4ddf-930c-f94afd6aee4f', 'virbr0', '2', 7),
      liveXml: running('45d91da8-2851-4e74-a63f-80ff2037e649', 'virbr1', '5', 31),
    };
    expect(computeConflicts(input).conflicts).toEqual([]);
    const fixed = { ...input, liveXml: input.liveXml.replace(/path='[^']*guest_agent.0'/, "path='/run/web-01/agent.sock'") };
    expect(computeConflicts(fixed).conflicts.map((c) => [c.id, c.live])).toEqual([
      ['xml:devices/channel[org.qemu.guest_agent.0]/source@path', '/run/web-01/agent.sock'],
    ]);
  });
});

describe('a ballooned machine: <currentMemory> below <memory>', () => {
  const ballooned = (memory: number, current: number) =>
    domainXml(machine({ memoryBytes: memory })).replace(/<currentMemory unit='KiB'>\d+/, `<currentMemory unit='KiB'>${current / 1024}`);

  it('keeps the chosen side’s balloon instead of overwriting it with the memory size', () => {
    const input = conflictInput(machine(), machine({ memoryBytes: 4 * GiB }), { liveXml: ballooned(4 * GiB, 2 * GiB) });
    const set = computeConflicts(input);
    expect(set.inconsistencies).toEqual({ backup: [], live: [] });
    expect(set.conflicts).toEqual([
      expect.objectContaining({
        id: 'memory',
        live: '4 GiB (2 GiB in use)',
        backup: '2 GiB',
        choices: { live: 'Keep 4 GiB (2 GiB in use)', backup: 'Take 2 GiB from the backup' },
      }),
    ]);
    expect(set.conflicts[0].note).toBeUndefined();
    const live = settle(input, 'live');
    expect([firstValue(live.vm, 'sstMemory'), live.domain.memoryBytes, live.domain.currentMemoryBytes]).toEqual([
      String(4 * GiB),
      4 * GiB,
      2 * GiB,
    ]);
    const backup = settle(input, 'backup');
    expect([backup.domain.memoryBytes, backup.domain.currentMemoryBytes]).toEqual([2 * GiB, 2 * GiB]);
    const typed = applyDecisions(input, set, { memory: { choice: 'value', value: '8 GiB' } });
    expect([readDomain(parseXml(typed.xml)).memoryBytes, readDomain(parseXml(typed.xml)).currentMemoryBytes]).toEqual([8 * GiB, 8 * GiB]);
  });

  it('asks about a balloon that differs while the memory size is the same', () => {
    const input = conflictInput(machine({ memoryBytes: 4 * GiB }), machine({ memoryBytes: 4 * GiB }), {
      liveXml: ballooned(4 * GiB, 3 * GiB),
    });
    expect(computeConflicts(input).conflicts.map((c) => [c.id, c.live, c.backup])).toEqual([['memory', '4 GiB (3 GiB in use)', '4 GiB']]);
    expect(settle(input, 'live').domain.currentMemoryBytes).toBe(3 * GiB);
    expect(settle(input, 'backup').domain.currentMemoryBytes).toBe(4 * GiB);
  });

  it('restores a ballooned backup with its balloon', () => {
    const input = { ...conflictInput(machine({ memoryBytes: 4 * GiB }), machine()), backupXml: ballooned(4 * GiB, GiB) };
    expect(computeConflicts(input).conflicts.map((c) => [c.id, c.live, c.backup])).toEqual([['memory', '2 GiB', '4 GiB (1 GiB in use)']]);
    const { domain } = settle(input, 'backup');
    expect([domain.memoryBytes, domain.currentMemoryBytes]).toEqual([4 * GiB, GiB]);
    expect(settle(input, 'live').domain.currentMemoryBytes).toBe(2 * GiB);
  });

  it('still reports a <currentMemory> above <memory>, which libvirt would cut down', () => {
    const xml = ballooned(2 * GiB, 3 * GiB);
    expect(agreementProblems(conflictInput(machine(), machine()).backupLdif, xml, MACHINE_UUID)).toEqual([
      'Memory: the domain XML has <currentMemory> 3 GiB above <memory> 2 GiB.',
    ]);
  });

  it('keeps the live online vCPUs with the vCPU count, as one decision', () => {
    const hotplug = domainXml(machine({ vcpu: 4 })).replace(
      "<vcpu placement='static'>4</vcpu>",
      "<vcpu placement='static' current='2'>4</vcpu>",
    );
    const input = conflictInput(machine(), machine({ vcpu: 4 }), { liveXml: hotplug });
    const set = computeConflicts(input);
    expect(set.conflicts.map((c) => [c.id, c.live, c.backup])).toEqual([['vcpus', '4 (2 online)', '2']]);
    const live = settle(input, 'live');
    expect(live.result.xml).toContain("<vcpu placement='static' current='2'>4</vcpu>");
    expect(live.result.plan.savedStateRisks).toEqual(["vCPUs differs from the backup's domain XML."]);
    expect(settle(input, 'backup').result.xml).toContain("<vcpu placement='static'>2</vcpu>");
    const typed = applyDecisions(input, set, { vcpus: { choice: 'value', value: '8' } });
    expect(typed.xml).toContain("<vcpu placement='static'>8</vcpu>");
  });
});

describe('the order of sibling elements', () => {
  const second = { name: 'net1', mac: '52:54:00:44:55:66', bridge: 'vmbr1' };
  const withoutAddresses = (xml: string) => xml.replace(/\n\s*<address type='pci'[^>]*slot='0x0[34]'[^>]*\/>/g, '');

  it('keeps the live order of two interfaces without addresses when live is kept', () => {
    const m = machine({ interfaces: [machine().interfaces[0], second] });
    const swapped = machine({ interfaces: [second, machine().interfaces[0]] });
    const input = conflictInput(m, m, { liveXml: withoutAddresses(domainXml(swapped)) });
    input.backupXml = withoutAddresses(input.backupXml);
    const set = computeConflicts(input);
    expect(set.conflicts).toEqual([
      expect.objectContaining({
        id: 'xml:devices/interface#order',
        label: 'Order of the interface elements in devices',
        live: 'net1, net0',
        backup: 'net0, net1',
        allowValue: false,
        choices: { live: 'Keep the live order', backup: "Take the backup's order" },
      }),
    ]);
    const live = settle(input, 'live');
    expect(live.domain.interfaces.map((i) => i.mac)).toEqual([second.mac, m.interfaces[0].mac]);
    expect(live.result.plan.savedStateRisks).toEqual(["Order of the interface elements in devices differs from the backup's domain XML."]);
    expect(settle(input, 'backup').result.xml).toBe(input.backupXml);
  });

  it('places a kept live-only disk between reordered disks as live has it', () => {
    const [vda, vdb] = machine().disks;
    const vdc = { target: 'vdc', volume: 'c3d2e1f0-0000-4000-8000-000000000003', capacityBytes: 10 * GiB };
    const three = domainXml(machine({ disks: [vda, vdb, vdc] }));
    const blocks = three.match(/    <disk [\s\S]*?<\/disk>\n/g)!;
    const reordered = three.replace(blocks.join(''), [blocks[1], blocks[2], blocks[0]].join(''));
    const input = conflictInput(machine(), machine({ disks: [vda, vdb, vdc] }), { liveXml: reordered });
    expect(computeConflicts(input).conflicts.map((c) => c.id)).toEqual(['ldap-entry:sstDisk=vdc,ou=devices', 'xml:devices/disk#order']);
    expect(settle(input, 'live').domain.disks.map((d) => d.target)).toEqual(['vdb', 'vdc', 'vda']);
    expect(settle(input, 'backup').domain.disks.map((d) => d.target)).toEqual(['vda', 'vdb']);
  });

  it('does not ask about the order of timers, features or sysinfo entries, which libvirt does not depend on', () => {
    const timers = (a: string, b: string) =>
      domainXml(machine()).replace(
        "<clock offset='utc'/>",
        `<clock offset='utc'>\n    <timer name='${a}'/>\n    <timer name='${b}'/>\n  </clock>`,
      );
    const input = { ...conflictInput(machine(), machine()), backupXml: timers('rtc', 'pit'), liveXml: timers('pit', 'rtc') };
    expect(computeConflicts(input).conflicts).toEqual([]);
  });
});

describe('user aliases and mixed content', () => {
  const alias = (name: string) => domainXml(machine()).replace("<alias name='virtio-disk1'/>", `<alias name='${name}'/>`);

  it('compares a user alias (ua-…) that live added, and keeps it in place of libvirt’s own', () => {
    const input = { ...conflictInput(machine(), machine()), liveXml: alias('ua-data') };
    expect(computeConflicts(input).conflicts.map((c) => [c.id, c.live, c.backup])).toEqual([
      ['xml:devices/disk[vdb]/alias', "<alias name='ua-data'/>", '(absent)'],
    ]);
    const { doc } = settle(input, 'live');
    const vdb = findElements(doc.root, 'devices/disk')[1];
    expect(findElements(vdb, 'alias').map((a) => getAttribute(a, 'name'))).toEqual(['ua-data']);
    expect(settle(input, 'backup').result.xml).toBe(input.backupXml);
  });

  it('keeps a fixed tap device name in place of the automatic one', () => {
    const input = {
      ...conflictInput(machine(), machine()),
      liveXml: domainXml(machine()).replace("<target dev='vnet7'/>", "<target dev='tap-web01'/>"),
    };
    expect(computeConflicts(input).conflicts.map((c) => c.id)).toEqual(['xml:devices/interface[net0]/target']);
    const { doc } = settle(input, 'live');
    expect(findElements(doc.root, 'devices/interface/target').map((t) => getAttribute(t, 'dev'))).toEqual(['tap-web01']);
  });

  it('compares a renamed or removed user alias', () => {
    const renamed = { ...conflictInput(machine(), machine()), backupXml: alias('ua-data'), liveXml: alias('ua-store') };
    expect(computeConflicts(renamed).conflicts.map((c) => c.id)).toEqual(['xml:devices/disk[vdb]/alias@name']);
    expect(settle(renamed, 'live').result.xml).toContain("<alias name='ua-store'/>");
    const removed = { ...conflictInput(machine(), machine()), backupXml: alias('ua-data') };
    expect(computeConflicts(removed).conflicts.map((c) => c.id)).toEqual(['xml:devices/disk[vdb]/alias']);
    expect(settle(removed, 'live').result.xml).not.toContain('ua-data');
  });

  it('compares the text of an element that also holds elements, as one value', () => {
    const note = (text: string) =>
      domainXml(machine()).replace(
        '  <memory',
        `  <metadata>\n    <app:note xmlns:app='urn:example:app'>${text}</app:note>\n  </metadata>\n  <memory`,
      );
    const input = {
      ...conflictInput(machine(), machine()),
      backupXml: note('Primary <b>database</b> node'),
      liveXml: note('Standby <b>database</b> node'),
    };
    const set = computeConflicts(input);
    expect(set.conflicts).toEqual([
      expect.objectContaining({
        id: 'xml:metadata/app:note',
        live: "<app:note xmlns:app='urn:example:app'>Standby <b>database</b> node</app:note>",
        backup: "<app:note xmlns:app='urn:example:app'>Primary <b>database</b> node</app:note>",
        allowValue: false,
      }),
    ]);
    expect(settle(input, 'live').result.xml).toBe(input.liveXml!);
    expect(settle(input, 'backup').result.xml).toBe(input.backupXml);
    const same = { ...input, liveXml: note('Primary\n      <b>database</b> node') };
    expect(computeConflicts(same).conflicts).toEqual([]);
  });
});

describe('every combination of decisions on a machine where all of the above differ', () => {
  const second = { name: 'net1', mac: '52:54:00:44:55:66', bridge: 'vmbr1' };
  const shape = (
    m: ReturnType<typeof machine>,
    options: { graphics: string; alias: string; note: string; serial: string; current: number; online: number | null },
  ) =>
    domainXml(m)
      .replace(/\n\s*<address type='pci'[^>]*slot='0x0[34]'[^>]*\/>/g, '')
      .replace("port='5901' autoport='no'", options.graphics)
      .replace("<alias name='virtio-disk1'/>", `<alias name='${options.alias}'/>`)
      .replace('  <memory', `  <metadata>\n    <app:note xmlns:app='urn:example:app'>${options.note}</app:note>\n  </metadata>\n  <memory`)
      .replace(/<currentMemory unit='KiB'>\d+/, `<currentMemory unit='KiB'>${options.current / 1024}`)
      .replace(
        /<vcpu placement='static'>/,
        options.online === null ? "<vcpu placement='static'>" : `<vcpu placement='static' current='${options.online}'>`,
      )
      .replace(
        "    <input type='tablet'",
        `    <serial type='${options.serial}'>\n      <source path='${options.serial === 'pty' ? '/dev/pts/3' : '/var/log/vm/serial.log'}'/>\n      <target port='0'/>\n    </serial>\n    <input type='tablet'`,
      );
  const backupMachine = machine({ interfaces: [machine().interfaces[0], second] });
  const liveMachine = machine({
    memoryBytes: 4 * GiB,
    vcpu: 4,
    interfaces: [second, machine().interfaces[0]],
    dhcp: { subnet: '10.1.0.0', ip: '10.1.0.21', mac: machine().interfaces[0].mac },
  });
  const input = conflictInput(backupMachine, liveMachine, {
    liveXml: shape(liveMachine, {
      graphics: "port='5901' autoport='no'",
      alias: 'ua-data',
      note: 'Standby <b>database</b> node',
      serial: 'file',
      current: 2 * GiB,
      online: 2,
    }),
  });
  input.backupXml = shape(backupMachine, {
    graphics: "port='5900' autoport='yes'",
    alias: 'virtio-disk1',
    note: 'Primary <b>database</b> node',
    serial: 'pty',
    current: 2 * GiB,
    online: null,
  });
  const set = computeConflicts(input);

  it('has one conflict per difference', () => {
    expect(set.conflicts.map((c) => c.id)).toEqual([
      'memory',
      'vcpus',
      'xml:metadata/app:note',
      'xml:devices/interface#order',
      'xml:devices/disk[vdb]/alias',
      'xml:devices/serial@type',
      'xml:devices/graphics[spice]@autoport',
    ]);
  });

  // Every mix of live and backup, in groups of 16 so that each test stays short on a busy machine.
  const masks = Array.from({ length: 2 ** set.conflicts.length }, (_, mask) => mask);
  const groups = Array.from({ length: masks.length / 16 }, (_, g) => masks.slice(g * 16, g * 16 + 16));
  it.each(groups.map((g) => [g[0], g[g.length - 1], g] as const))(
    'leaves a difference to live only where the backup was chosen, and to the backup only where live was (choices %i to %i)',
    (_first, _last, group) => {
      for (const mask of group) {
        const decisions = decideByMask(set, mask);
        const result = applyDecisions(input, set, decisions);
        expect(result.agreement, `mask ${mask}`).toEqual([]);
        expectDifferencesAsDecided(input, set, decisions, result, `mask ${mask}`);
      }
    },
  );
});
