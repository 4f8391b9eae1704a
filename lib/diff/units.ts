/**
 * Memory sizes. The directory keeps bytes (`sstMemory`); libvirt keeps a number and a unit whose
 * default is KiB. The unit names follow libvirt's virScaleInteger exactly (case-insensitive;
 * "KB" = 1000, "K"/"KiB" = 1024), so a value means here what it means to libvirt.
 */

const POWERS = ['k', 'm', 'g', 't', 'p', 'e'];

/** Bytes per unit as libvirt reads it, or null for a unit libvirt would reject. */
export function unitScale(unit: string): bigint | null {
  const u = unit.toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return 1n;
  const power = POWERS.indexOf(u[0] ?? '') + 1;
  if (power === 0) return null;
  const rest = u.slice(1);
  if (rest === '' || rest === 'ib') return 1024n ** BigInt(power);
  if (rest === 'b') return 1000n ** BigInt(power);
  return null;
}

function toSafeNumber(value: bigint): number | null {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/** A libvirt `<memory unit=…>` value in bytes; null when the number or unit is not valid. */
export function libvirtMemoryBytes(amount: string, unit: string | null): number | null {
  const scale = unitScale(unit ?? 'KiB');
  if (scale === null || !/^\d+$/.test(amount.trim())) return null;
  return toSafeNumber(BigInt(amount.trim()) * scale);
}

export type ParsedSize = { ok: true; bytes: number } | { ok: false; error: string };

/** Parses what an administrator types: bytes ("2147483648") or a size with a unit ("2 GiB", "1.5G"). */
export function parseSize(text: string): ParsedSize {
  const m = /^\s*(\d+)(?:\.(\d+))?\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return { ok: false, error: 'Enter a number of bytes or a size with a unit, such as 4 GiB.' };
  const scale = m[3] === '' ? 1n : unitScale(m[3]);
  if (scale === null) return { ok: false, error: `"${m[3]}" is not a unit; use bytes, KiB, MiB, GiB or TiB.` };
  const fraction = m[2] ?? '';
  const denominator = 10n ** BigInt(fraction.length);
  const numerator = BigInt(m[1] + fraction) * scale;
  if (numerator % denominator !== 0n) return { ok: false, error: 'The size is not a whole number of bytes.' };
  const bytes = toSafeNumber(numerator / denominator);
  if (bytes === null) return { ok: false, error: 'The size is too large.' };
  return { ok: true, bytes };
}

/** "2 GiB", "1536 MiB", "1000 bytes": the largest binary unit that divides the value exactly. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let i = 0;
  while (i < units.length - 1 && value !== 0 && value % 1024 === 0) {
    value /= 1024;
    i += 1;
  }
  return `${value} ${units[i]}`;
}

/** Writes bytes in the element's current unit when that is exact, else in KiB, else in bytes. */
export function bytesInUnit(bytes: number, preferredUnit: string | null): { amount: string; unit: string } {
  for (const unit of [preferredUnit ?? 'KiB', 'KiB']) {
    const scale = unitScale(unit);
    if (scale !== null && BigInt(bytes) % scale === 0n) return { amount: (BigInt(bytes) / scale).toString(), unit };
  }
  return { amount: String(bytes), unit: 'b' };
}
