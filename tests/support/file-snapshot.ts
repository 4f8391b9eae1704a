import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

export const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * Every file, folder and link under `folder` (relative path → sha256, "dir <mode>" or
 * "link <target>"; links are not followed), for before/after checks in the integration and
 * end-to-end tests. A folder that does not exist is empty.
 */
export function fileSnapshot(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) {
        out[relative(folder, path)] = `link ${readlinkSync(path)}`;
      } else if (st.isDirectory()) {
        out[relative(folder, path)] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(path);
      } else {
        out[relative(folder, path)] = sha256(path);
      }
    }
  };
  if (existsSync(folder)) walk(folder);
  return out;
}
