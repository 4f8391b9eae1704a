/**
 * Everything the console does on a node, over SSH (server only). Commands are built from
 * argument vectors with one quoting function; every path is checked before use; errors are
 * AppErrors with codes from lib/errors.ts. See README, "Nodes", for the configuration.
 */
import 'server-only';

export { resolveNodeEndpoint, type NodeEndpoint } from './address';
export { checkConfined, type ConfinedCheck, type ConfinedKind } from './confine';
export { copyFile, type CopyOptions, type CopyResult } from './copy';
export { CommandFailedError, isCommandFailed } from './errors';
export {
  checksumFiles,
  identifyFiles,
  placeByRename,
  removeFiles,
  sealCopies,
  type Checksum,
  type FileId,
  type FileIdentity,
  type PlaceByRename,
  type PlacedAs,
  type SealItem,
  type SealResult,
} from './images';
export {
  makeDirectory,
  moveFile,
  readFileBytes,
  readTextFile,
  removeEmptyFolders,
  removeTree,
  statPaths,
  writeTextFile,
  type MoveRoots,
  type PathStat,
} from './files';
export { assertSafePath, isStrictlyInside, joinPath, normalizePath, parentDirectory, type SafePathOptions } from './paths';
export { probeNodeDaemon } from './node-daemon';
export { closeNodeConnections } from './pool';
export { qemuImgCheck, qemuImgInfo, type ImageCheck, type ImageInfo } from './qemu-img';
export { buildCommand, shellQuote } from './quote';
export { observeNodeCommands, runChecked, runOnNode, type ObservedCommand, type RunOptions, type RunResult } from './run';
export type { CommandRunnerState } from './runner';
export { nodesConfigured } from './settings';
export { diskUsage, nodeStatus, type FilesystemUsage, type NodeStatus } from './status';
export { listDirectory, type DirectoryEntry } from './tree';
export * as virsh from './virsh';
