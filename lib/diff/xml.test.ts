import { describe, expect, it, vi } from 'vitest';
import { parseXml, serializeElement, serializeXml, XmlSyntaxError } from './xml';
import {
  appendElement,
  childElements,
  cloneDocument,
  ensureElement,
  findElement,
  findElements,
  getAttribute,
  removeAttribute,
  removeElement,
  setAttribute,
  setTextContent,
  textContent,
} from './xml-nodes';

const LIBVIRT = `<domain type='kvm' id='7'>
  <name>bdd640fb-0667-4ad1-9c80-317fa3b1799d</name>
  <uuid>bdd640fb-0667-4ad1-9c80-317fa3b1799d</uuid>
  <title>web-01 &amp; friends</title>
  <description><![CDATA[Müller's <test> machine]]></description>
  <memory unit='KiB'>2097152</memory>
  <!-- keep the balloon at the full size -->
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc-i440fx-2.1'>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-kvm</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='writeback'/>
      <source file='/var/virtualization/vm-persistent/0f83f084/a b&apos;c.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <graphics type="spice" port="5900" passwd="p&quot;w&#38;d" />
    <video>
      <model type='qxl' ram='65536' vram='65536' heads='1'/>
    </video>
  </devices>
</domain>
`;

describe('parseXml / serializeXml', () => {
  it('reproduces libvirt XML byte for byte', () => {
    expect(serializeXml(parseXml(LIBVIRT))).toBe(LIBVIRT);
    const declared = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated -->\n${LIBVIRT}\n<!-- end -->\n`;
    expect(serializeXml(parseXml(declared))).toBe(declared);
    const odd = "<a b='x &gt; y' c=\"it's\">1 > 0 &amp;&#x26; ]]&gt;</a>";
    expect(serializeXml(parseXml(odd))).toBe(odd);
    const crlf = '\ufeff<domain>\r\n  <name a = "1"\tb=\'2\'>x</name >\r\n</domain>';
    expect(serializeXml(parseXml(crlf))).toBe(crlf.replace('</name >', '</name>'));
  });

  it('decodes entities, CDATA and keeps comments and attribute order', () => {
    const doc = parseXml(LIBVIRT);
    expect(doc.declaration).toBeNull();
    expect(textContent(findElement(doc.root, 'title')!)).toBe('web-01 & friends');
    expect(textContent(findElement(doc.root, 'description')!)).toBe("Müller's <test> machine");
    expect(getAttribute(findElement(doc.root, 'devices/disk/source')!, 'file')).toBe(
      "/var/virtualization/vm-persistent/0f83f084/a b'c.qcow2",
    );
    expect(getAttribute(findElement(doc.root, 'devices/graphics')!, 'passwd')).toBe('p"w&d');
    expect(findElement(doc.root, 'devices/video/model')!.attributes.map((a) => a.name)).toEqual(['type', 'ram', 'vram', 'heads']);
    expect(doc.root.children.some((c) => c.type === 'comment' && c.value === ' keep the balloon at the full size ')).toBe(true);
    expect(textContent(parseXml('<a>&#x41;&#66;&lt;&gt;&quot;&apos;</a>').root)).toBe('AB<>"\'');
    expect(getAttribute(parseXml('<a b="x\ny\tz"/>').root, 'b')).toBe('x y z');
  });

  it('writes changed values escaped, in single quotes, and keeps everything else', () => {
    const doc = parseXml(LIBVIRT);
    const source = findElement(doc.root, 'devices/disk/source')!;
    setAttribute(source, 'file', "/var/x/<new> & 'old'.qcow2");
    setAttribute(source, 'startupPolicy', 'optional');
    setTextContent(findElement(doc.root, 'title')!, 'a < b');
    const out = serializeXml(doc);
    expect(out).toContain("<source file='/var/x/&lt;new> &amp; &apos;old&apos;.qcow2' startupPolicy='optional'/>");
    expect(out).toContain('<title>a &lt; b</title>');
    expect(out).toContain('<graphics type="spice" port="5900" passwd="p&quot;w&#38;d" />');
    const reparsed = parseXml(out);
    expect(getAttribute(findElement(reparsed.root, 'devices/disk/source')!, 'file')).toBe("/var/x/<new> & 'old'.qcow2");
  });

  it('refuses what is not plain XML, naming the line', () => {
    const cases: [string, number, RegExp][] = [
      ['<a>\n<b>\n</a>', 3, /does not match <b>/],
      ['<a>\n&nbsp;</a>', 2, /unknown entity/],
      ['<a>\n&amp</a>', 2, /must start an entity/],
      ['<!DOCTYPE a [<!ENTITY x "y">]>\n<a/>', 1, /DOCTYPE/],
      ['<a/>\n<b/>', 2, /more than one root/],
      ['<a>\n<b c="1" c="2"/></a>', 2, /twice/],
      ['<a\n b=1/>', 2, /quoted/],
      ['<a>\n<?php x ?></a>', 2, /processing instructions/],
      ['<a>', 1, /not closed/],
      ['', 1, /no root element/],
      ['text<a/>', 1, /outside the root/],
      ['<a b="&#0;"/>', 1, /not a character/],
      ['<a>\n<!-- open', 2, /comment/],
    ];
    for (const [text, line, message] of cases) {
      let caught: unknown;
      try {
        parseXml(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(XmlSyntaxError);
      expect((caught as XmlSyntaxError).line, text).toBe(line);
      expect((caught as XmlSyntaxError).message, text).toMatch(message);
    }
  });
});

describe('parseXml on hostile input', () => {
  it('refuses very deep nesting with a parse error instead of overflowing the stack', () => {
    const depth = 100_000;
    const text = `<domain>\n${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</domain>`;
    let caught: unknown;
    try {
      parseXml(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(XmlSyntaxError);
    expect((caught as XmlSyntaxError).line).toBe(2);
    expect((caught as XmlSyntaxError).message).toMatch(/nested more than 256 deep; libvirt would refuse/);
    // libxml2, which libvirt parses with, stops at the same depth.
    const deepest = `${'<a>'.repeat(256)}${'</a>'.repeat(256)}`;
    expect(serializeXml(parseXml(deepest))).toBe(deepest);
    expect(() => parseXml(`<b>${deepest}</b>`)).toThrow(XmlSyntaxError);
  });

  it('checks duplicate attributes in linear time: one set lookup per attribute, not a scan of the earlier ones', () => {
    const count = 20_000;
    const attributes = Array.from({ length: count }, (_, i) => ` a${i}='${i}'`).join('');
    const has = vi.spyOn(Set.prototype, 'has');
    try {
      const doc = parseXml(`<x${attributes}/>`);
      expect(doc.root.attributes).toHaveLength(count);
      expect(has.mock.calls.length).toBeGreaterThan(count / 2);
      expect(has.mock.calls.length).toBeLessThanOrEqual(count);
    } finally {
      has.mockRestore();
    }
    expect(() => parseXml(`<x${attributes}\n a7='again'/>`)).toThrow(/line 2: attribute a7 appears twice/);
    expect(() => parseXml("<x a='1' b='2' a='3'/>")).toThrow(/attribute a appears twice/);
  });
});

describe('element helpers', () => {
  it('finds elements by simple paths with 1-based positions', () => {
    const doc = parseXml('<d><os><boot dev="hd"/><boot dev="cdrom"/></os><devices><disk n="1"/><disk n="2"/></devices></d>');
    expect(findElements(doc.root, 'devices/disk').map((e) => getAttribute(e, 'n'))).toEqual(['1', '2']);
    expect(getAttribute(findElement(doc.root, 'os/boot[2]')!, 'dev')).toBe('cdrom');
    expect(findElement(doc.root, 'os/boot[3]')).toBeNull();
    expect(findElement(doc.root, '')).toBe(doc.root);
    expect(() => findElement(doc.root, 'os/boot[0]')).toThrow(/segment/);
  });

  it('creates, indents and removes elements like libvirt formats them', () => {
    const doc = parseXml(LIBVIRT);
    const model = ensureElement(doc.root, 'devices/sound/model');
    setAttribute(model, 'type', 'ich6');
    ensureElement(doc.root, 'on_crash');
    setTextContent(findElement(doc.root, 'on_crash')!, 'destroy');
    const out = serializeXml(doc);
    expect(out).toContain(
      "    </video>\n    <sound>\n      <model type='ich6'/>\n    </sound>\n  </devices>\n  <on_crash>destroy</on_crash>\n</domain>",
    );
    const devices = findElement(doc.root, 'devices')!;
    removeElement(devices, findElement(devices, 'sound')!);
    removeElement(doc.root, findElement(doc.root, 'on_crash')!);
    expect(serializeXml(doc)).toBe(LIBVIRT);
  });

  it('clones deeply, so changing a clone leaves the original alone', () => {
    const doc = parseXml(LIBVIRT);
    const copy = cloneDocument(doc);
    setAttribute(findElement(copy.root, 'devices/video/model')!, 'vram', '1');
    removeAttribute(findElement(copy.root, 'devices/video/model')!, 'heads');
    appendElement(findElement(copy.root, 'os')!, {
      type: 'element',
      name: 'boot',
      attributes: [{ name: 'dev', value: 'cdrom' }],
      children: [],
      selfClosing: true,
    });
    expect(serializeXml(doc)).toBe(LIBVIRT);
    expect(childElements(findElement(copy.root, 'os')!, 'boot')).toHaveLength(2);
    expect(serializeElement(findElement(copy.root, 'devices/video/model')!)).toBe("<model type='qxl' ram='65536' vram='1'/>");
  });

  it('sets and clears text without touching element children', () => {
    const doc = parseXml('<a>x<b/>y</a>');
    setTextContent(doc.root, 'z');
    expect(serializeXml(doc)).toBe('<a>z<b/></a>');
    setTextContent(doc.root, '');
    expect(serializeXml(doc)).toBe('<a><b/></a>');
  });
});
