export { directoryBytes, installAloneOffline, packPackage, type PackedTarball } from './install.ts';
export {
  caretOrTildeAllows,
  offlineLockFor,
  type LockEntry,
  type Lockfile,
  type OfflineLockOptions,
} from './offline-lock.ts';
