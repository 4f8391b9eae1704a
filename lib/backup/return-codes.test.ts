import { describe, expect, it } from 'vitest';
import { RETURN_CODE, RETURN_CODES, describeReturnCode } from './return-codes';

describe('return codes', () => {
  it('covers every daemon code 0–48, -1, 999 and the older 101–112', () => {
    const codes = RETURN_CODES.map((c) => c.code);
    for (let c = 0; c <= 48; c++) expect(codes).toContain(c);
    for (let c = 101; c <= 112; c++) expect(codes).toContain(c);
    expect(codes).toContain(-1);
    expect(codes).toContain(999);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('gives every code a constant name and one plain sentence', () => {
    for (const c of RETURN_CODES) {
      expect(c.name).toMatch(/^[A-Z_]+$/);
      expect(c.text).toMatch(/^[A-Z].*\.$/);
      expect(c.text).not.toMatch(/sst[A-Z]/);
    }
  });

  it('describes known codes', () => {
    expect(describeReturnCode(11)).toEqual({
      code: 11,
      name: 'CANNOT_MERGE_DISK_IMAGES',
      text: 'The disk images could not be merged (block pull failed).',
      known: true,
    });
    expect(describeReturnCode(0).name).toBe('SUCCESS');
    expect(describeReturnCode(18).name).toBe('WRONG_STATE_INFORMATION');
    expect(describeReturnCode(47).name).toBe('NOT_ENOUGH_DISK_SPACE');
    expect(describeReturnCode(-1).name).toBe('NOT_ON_THIS_NODE');
    expect(describeReturnCode(112).name).toBe('NO_SPACE_LEFT');
    expect(describeReturnCode(999).name).toBe('NO_BACKUP_NEEDED');
  });

  it('describes unknown codes as possible libvirt errors', () => {
    expect(describeReturnCode(57)).toEqual({
      code: 57,
      name: 'UNKNOWN',
      text: 'Unknown code 57 — possibly a libvirt error code passed through.',
      known: false,
    });
  });
});

describe('RETURN_CODE', () => {
  it('names each code of the node daemon and the console by its constant', () => {
    expect(RETURN_CODE.SUCCESS).toBe(0);
    expect(RETURN_CODE.WRONG_STATE_INFORMATION).toBe(18);
    expect(RETURN_CODE.CANNOT_START_MACHINE).toBe(42);
    expect(RETURN_CODE.NODE_DAEMON_DID_NOT_ANSWER).toBe(901);
    for (const [name, code] of Object.entries(RETURN_CODE)) expect(describeReturnCode(code).name).toBe(name);
  });
});
