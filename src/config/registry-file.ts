/**
 * `fluvio-ports plan --record` as one step under a lock: read the registry as it is now, plan
 * against it, splice the record into the text (comments and other entries untouched), and
 * replace the file atomically. Two `--record` runs at once both keep their record; a reader
 * never sees half a file.
 */
import { accessSync, constants, statSync } from "node:fs";
import { EMPTY_REGISTRY, parseRegistry, type PortRegistry, type StackRecord } from "../ports/registry";
import { removeRecordsText, writeRecordText, yamlAnchorsIn } from "../ports/registry-edit";
import { ConfigError } from "../errors";
import { errorCode, fileError, readOptionalText, removeStaleTemps, withFileLock, withFileLockAsync, writeFileAtomic, writeTarget, type AtomicWriteOptions, type LockOptions } from "./files";

/** What `recordInRegistry` did. */
export interface RecordResult<T> {
  /** Whether the file changed (false: the record was already there, byte for byte). */
  changed: boolean;
  /** The record written. */
  record: StackRecord;
  /** What the planning step returned. */
  result: T;
}

/** Options of `recordInRegistry`: the lock's patience and, for tests, the writer. */
export type RecordOptions = LockOptions & AtomicWriteOptions;

/**
 * Writes a stack's record into the registry file `file` (created if missing): under the
 * registry's lock, reads and validates the file, calls `plan` with the registry as it is now
 * (so a record another process just wrote is planned around), and writes the record it returns.
 * A read-only registry is refused, not replaced. A symbolic link is followed: the file it
 * points to is updated, the link stays. Throws `ConfigError` for a bad registry and
 * `HostError` (kind `file`) when the file cannot be read, locked or written.
 */
export function recordInRegistry<T>(file: string, plan: (registry: PortRegistry) => { record: StackRecord; result: T }, options: RecordOptions = {}): RecordResult<T> {
  const target = writeTarget(file);
  refuseReadOnly(target);
  return withFileLock(target, () => writeRecord(file, target, plan(readRegistryFile(file, target)), options), options);
}

/** `recordInRegistry` for a planning step that is asynchronous (`strategy: isolated` asks the host); the lock is held throughout. */
export async function recordInRegistryAsync<T>(file: string, plan: (registry: PortRegistry) => Promise<{ record: StackRecord; result: T }>, options: RecordOptions = {}): Promise<RecordResult<T>> {
  const target = writeTarget(file);
  refuseReadOnly(target);
  return withFileLockAsync(target, async () => writeRecord(file, target, await plan(readRegistryFile(file, target)), options), options);
}

/** What a registry read failure says before the cause. */
export const REGISTRY_READ = "cannot read the port registry";

function readRegistryFile(file: string, target: string): PortRegistry {
  const text = readOptionalText(target, REGISTRY_READ);
  return text === undefined ? EMPTY_REGISTRY : parseRegistry(text, file);
}

/** Splices the record into the file's text as it is now (still under the lock) and replaces the file if anything changed. */
function writeRecord<T>(file: string, target: string, planned: { record: StackRecord; result: T }, options: RecordOptions): RecordResult<T> {
  removeStaleTemps(target); // a writer killed at the rename left its temporary file: gone now
  const text = readOptionalText(target);
  if (text !== undefined) refuseAnchors(file, text);
  const next = writeRecordText(text, planned.record);
  if (next === text) return { changed: false, ...planned };
  writeFileAtomic(target, next, options);
  return { changed: true, ...planned };
}

/**
 * Removes records from the registry file under its lock: `choose` picks them from the registry
 * as it is now; their lines are cut out, comments and everything else kept (`removeRecordsText`).
 * Throws like `recordInRegistry`.
 */
export function removeFromRegistry(file: string, choose: (registry: PortRegistry) => StackRecord[], options: RecordOptions = {}): { removed: StackRecord[]; changed: boolean } {
  const target = writeTarget(file);
  refuseReadOnly(target);
  return withFileLock(
    target,
    () => {
      const text = readOptionalText(target, REGISTRY_READ);
      if (text === undefined) return { removed: [], changed: false };
      const removed = choose(parseRegistry(text, file));
      if (removed.length > 0) refuseAnchors(file, text);
      const next = removeRecordsText(text, removed);
      if (next === text) return { removed, changed: false };
      writeFileAtomic(target, next, options);
      return { removed, changed: true };
    },
    options,
  );
}

/** A registry with YAML anchors or aliases cannot be edited line by line: one line naming them and the fix. */
function refuseAnchors(file: string, text: string): void {
  const anchors = yamlAnchorsIn(text);
  if (anchors.length === 0) return;
  throw new ConfigError({
    path: file,
    message: `uses YAML anchors and aliases (${anchors.slice(0, 4).join(", ")}${anchors.length > 4 ? ", ..." : ""}), which an edit of one record cannot keep: write those entries out in full (each record and claim on its own), then run the command again`,
  });
}

/** A registry someone made read-only is not theirs to lose: the rename would replace it anyway, so refuse first. */
function refuseReadOnly(file: string): void {
  try {
    if ((statSync(file).mode & 0o222) === 0) throw Object.assign(new Error("no write bit"), { code: "EACCES" });
    accessSync(file, constants.W_OK);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT") return;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw fileError(file, "is read-only: make it writable (chmod u+w) to record into it, or record on a checkout you may change");
    }
    throw fileError(file, `cannot be checked for writing (${code ?? String(error)})`);
  }
}
