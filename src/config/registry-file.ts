/**
 * `fluvio-ports plan --record` as one step under a lock: read the registry as it is now, plan
 * against it, splice the record into the text (comments and other entries untouched), and
 * replace the file atomically. Two `--record` runs at once both keep their record; a reader
 * never sees half a file.
 */
import { accessSync, constants, statSync } from "node:fs";
import { EMPTY_REGISTRY, parseRegistry, type PortRegistry, type StackRecord } from "../ports/registry";
import { writeRecordText } from "../ports/registry-edit";
import { errorCode, fileError, readOptionalText, withFileLock, writeFileAtomic, writeTarget, type AtomicWriteOptions, type LockOptions } from "./files";

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
  return withFileLock(
    target,
    () => {
      const text = readOptionalText(target);
      const registry = text === undefined ? EMPTY_REGISTRY : parseRegistry(text, file);
      const { record, result } = plan(registry);
      const next = writeRecordText(text, record);
      if (next === text) return { changed: false, record, result };
      writeFileAtomic(target, next, options);
      return { changed: true, record, result };
    },
    options,
  );
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
