/**
 * Reading and writing the files a user keeps in git (stack files, the port registry, rendered
 * output) so that a failure is one line naming the file and the fix, a write is all or nothing
 * (a temporary file in the same folder, then a rename), and two writers take turns (a lock file).
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { HostError } from "../errors";

/** The heading of every file error. */
const FILE_HEADING = "fluvio-ports: file problem";

/** A Node.js system error's code (`ENOENT`, `EACCES`, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** What a failed read or write means for the user, in words, and what to do. */
export function describeFileError(error: unknown, action: "read" | "write"): string {
  const code = errorCode(error);
  switch (code) {
    case "ENOENT":
      return action === "read" ? "it does not exist; check the path" : "it cannot be created: its folder does not exist; create the folder first";
    case "EISDIR":
      return "it is a folder where a file should be; remove or rename the folder";
    case "ENOTDIR":
      return "it is under a file where a folder should be; remove or rename the file that stands in the path";
    case "EACCES":
    case "EPERM":
      return action === "read" ? "it cannot be read (permission denied); make it readable (chmod u+r) or run as its owner" : "it cannot be written (permission denied); make it and its folder writable (chmod u+w) or run as their owner";
    case "EROFS":
      return "it is on a read-only file system; run from a writable copy of the project";
    case "ENOSPC":
    case "EDQUOT":
      return "it cannot be written: the disk is full (or the quota used up); free some space and run again — the file was left as it was";
    case "ELOOP":
      return "it is a loop of symbolic links; fix or remove the link";
    case "EMFILE":
    case "ENFILE":
      return "it cannot be opened: too many open files; close some programs and run again";
    default:
      return `it cannot be ${action === "read" ? "read" : "written"} (${code ?? (error as Error)?.message ?? String(error)}); check the file and its folder`;
  }
}

/** A HostError of kind `file`: one line naming the file and the fix. */
export function fileError(file: string, message: string): HostError {
  return new HostError("file", { path: file, message: message.replace(/\s*\n\s*/g, " ") }, FILE_HEADING);
}

/** A file's text, or undefined when there is no file; any other failure is a `HostError` naming the file (and `what` it is for). */
export function readOptionalText(file: string, what?: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") {
      // A link to nothing is a broken file, not a missing one: never read as empty (and "ok").
      const target = danglingLinkTarget(file);
      if (target !== undefined) throw fileError(file, `${what ? `${what}: ` : ""}it is a symbolic link to ${target}, which does not exist; fix the link, or remove it to start a new file here`);
      return undefined;
    }
    throw fileError(file, `${what ? `${what}: ` : ""}${describeFileError(error, "read")}`);
  }
}

/** Where a symbolic link at `file` points, when it points at nothing; undefined for anything else. */
function danglingLinkTarget(file: string): string | undefined {
  try {
    return lstatSync(file).isSymbolicLink() ? readlinkSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** A file's text; a missing, unreadable or folder path is a `HostError` naming the file. */
export function readText(file: string): string {
  const text = readOptionalText(file);
  if (text === undefined) throw fileError(file, describeFileError(Object.assign(new Error("missing"), { code: "ENOENT" }), "read"));
  return text;
}

/** The file a write to `file` lands in: `file` itself, or what a symbolic link at `file` points to. */
export function writeTarget(file: string): string {
  let link: boolean;
  try {
    link = lstatSync(file).isSymbolicLink();
  } catch (error) {
    if (errorCode(error) === "ENOENT") return file;
    throw fileError(file, describeFileError(error, "read"));
  }
  if (!link) return file;
  try {
    return realpathSync(file);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw fileError(file, describeFileError(error, "read"));
    throw fileError(file, `is a symbolic link to ${readlinkSync(file)}, which does not exist: fix the link, or remove it to start a new file here`);
  }
}

/** How `writeFileAtomic` writes the temporary file; tests inject failures (a full disk) here. */
export interface AtomicWriteOptions {
  /** Writes `text` into the open file descriptor `fd`. Default: `fs.writeSync` until done. */
  writeAll?: (fd: number, text: string) => void;
}

function writeAllSync(fd: number, text: string): void {
  const buffer = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** A file written to a temporary name beside its target, waiting to be renamed into place. */
export interface PreparedWrite {
  /** The file it will replace. */
  file: string;
  /** Renames the temporary file over `file`; throws a `HostError` of kind `file`. */
  commit: () => void;
  /** Removes the temporary file; `file` stays as it was. */
  abort: () => void;
}

/**
 * The first half of an atomic write: the text goes into a temporary file in the same folder
 * (same permissions as the file it replaces) and is flushed. Nothing visible changes until
 * `commit`. On failure the temporary file is removed and a `HostError` of kind `file` thrown.
 */
export function prepareWrite(file: string, text: string, options: AtomicWriteOptions = {}): PreparedWrite {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let mode = 0o644;
  try {
    const existing = statSync(file);
    if (existing.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    mode = existing.mode & 0o777;
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw fileError(file, describeFileError(error, "write"));
  }
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", mode);
    (options.writeAll ?? writeAllSync)(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    unlinkQuietly(temp);
    throw fileError(file, describeFileError(error, "write"));
  }
  return {
    file,
    commit: () => {
      try {
        renameSync(temp, file);
      } catch (error) {
        unlinkQuietly(temp);
        throw fileError(file, describeFileError(error, "write"));
      }
    },
    abort: () => unlinkQuietly(temp),
  };
}

/**
 * Writes `file` all at once (`prepareWrite`, then the rename): a reader sees the old text or
 * the new, never a part; on any failure the old file is untouched and no temporary file is
 * left. Throws a `HostError` of kind `file`.
 */
export function writeFileAtomic(file: string, text: string, options: AtomicWriteOptions = {}): void {
  prepareWrite(file, text, options).commit();
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or never usable: nothing to release
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already
  }
}

/**
 * Removes the temporary files `prepareWrite` left beside `file` by processes that are gone (a
 * `kill -9` between the write and the rename): `.<name>.<pid>.<hex>.tmp` whose pid no longer
 * runs. Call it while holding the file's lock, so no live writer's file is taken.
 */
export function removeStaleTemps(file: string): string[] {
  const dir = dirname(file);
  const prefix = `.${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length).split(".")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    unlinkQuietly(join(dir, name));
    removed.push(name);
  }
  return removed;
}

/** How long a writer waits for another one's lock by default: writes take milliseconds, so a lock held longer is held by something stuck. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/**
 * The lock wait a user asked for in `FLUVIO_PORTS_LOCK_TIMEOUT` (seconds, e.g. `30` or `0.5`),
 * else the default; a value that is no number of seconds is a one-line `HostError`.
 */
export function lockTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.FLUVIO_PORTS_LOCK_TIMEOUT;
  if (value === undefined || value.trim() === "") return DEFAULT_LOCK_TIMEOUT_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new HostError("file", { path: "FLUVIO_PORTS_LOCK_TIMEOUT", message: `'${value.slice(0, 40)}' is not a number of seconds from 0 to 3600: set it like FLUVIO_PORTS_LOCK_TIMEOUT=30, or unset it for the default ${DEFAULT_LOCK_TIMEOUT_MS / 1000} s` }, FILE_HEADING);
  }
  return Math.round(seconds * 1000);
}

/** How long `withFileLock` waits for another writer, and when a lock counts as abandoned. */
export interface LockOptions {
  /** Give up after this long (ms). Default 10 s (`DEFAULT_LOCK_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** A lock older than this (ms) is abandoned even if its process seems to live (pid reuse). Default 60 s. */
  staleMs?: number;
}

/** What a lock file says about its holder. */
interface LockInfo {
  pid: number;
  host: string;
  token: string;
  since: string;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readLock(lock: string): { text: string; info?: LockInfo; ageMs: number } | undefined {
  try {
    const text = readFileSync(lock, "utf8");
    const ageMs = Date.now() - statSync(lock).mtimeMs;
    try {
      const info = JSON.parse(text) as LockInfo;
      return typeof info.pid === "number" && typeof info.token === "string" ? { text, info, ageMs } : { text, ageMs };
    } catch {
      return { text, ageMs };
    }
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw fileError(lock, describeFileError(error, "read"));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

/**
 * Abandoned: its process on this host is gone, or it is older than `staleMs`. A lock this code
 * did not write (empty, or another tool's) counts by age alone: someone may hold it on purpose.
 */
function isStale(lock: { info?: LockInfo; ageMs: number }, staleMs: number): boolean {
  if (lock.ageMs > staleMs) return true;
  return lock.info !== undefined && lock.info.host === hostname() && lock.info.pid !== process.pid && !processAlive(lock.info.pid);
}

/**
 * Removes an abandoned lock, unless someone replaced it meanwhile: a second lock file (`.break`)
 * makes the look-and-remove one step, so two waiters cannot both break and both enter.
 */
function breakStaleLock(lock: string, seen: string): void {
  const breaker = `${lock}.break`;
  let fd: number;
  try {
    fd = openSync(breaker, "wx");
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw fileError(breaker, describeFileError(error, "write"));
    const age = (() => {
      try {
        return Date.now() - statSync(breaker).mtimeMs;
      } catch {
        return 0;
      }
    })();
    if (age > 5_000) unlinkQuietly(breaker); // its breaker died within the few lines below
    return;
  }
  try {
    const now = readLock(lock);
    if (now !== undefined && now.text === seen) unlinkSync(lock);
  } finally {
    closeSync(fd);
    unlinkQuietly(breaker);
  }
}

/**
 * Takes `<file>.lock`, an exclusive lock file created with `O_EXCL`, and returns the function
 * that releases it. Waits (bounded by `timeoutMs`) while another process holds it; removes a
 * lock whose process is gone or that is older than `staleMs`. Throws a `HostError` of kind
 * `file` when the lock cannot be had, naming its holder and the fix.
 */
export function acquireFileLock(file: string, options: LockOptions = {}): () => void {
  const lock = `${file}.lock`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? 60_000;
  const info: LockInfo = { pid: process.pid, host: hostname(), token: randomBytes(8).toString("hex"), since: new Date().toISOString() };
  const mine = JSON.stringify(info);
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, "wx", 0o644);
      try {
        writeAllSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw fileError(lock, `${describeFileError(error, "write")} (the lock that keeps two writers of ${basename(file)} apart)`);
    }
    const held = readLock(lock);
    if (held !== undefined && isStale(held, staleMs)) {
      breakStaleLock(lock, held.text);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const holder = held?.info ? `process ${held.info.pid} on ${held.info.host} since ${held.info.since}` : "another process";
      throw fileError(file, `is being written by ${holder} (lock ${lock}), still after ${(timeoutMs / 1000).toFixed(timeoutMs % 1000 === 0 ? 0 : 1)} s; run again when it is done (FLUVIO_PORTS_LOCK_TIMEOUT=<seconds> waits longer), or delete ${lock} if no such process runs`);
    }
    sleep(10 + Math.floor(Math.random() * Math.min(100, 10 * (attempt + 1))));
  }
  return () => {
    if (readLockQuietly(lock) === mine) unlinkQuietly(lock);
  };
}

/** Runs `action` while holding `<file>.lock` (`acquireFileLock`); the lock is released however `action` ends. */
export function withFileLock<T>(file: string, action: () => T, options: LockOptions = {}): T {
  const release = acquireFileLock(file, options);
  try {
    return action();
  } finally {
    release();
  }
}

/** `withFileLock` for an asynchronous action: the lock is held until its promise settles. */
export async function withFileLockAsync<T>(file: string, action: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = acquireFileLock(file, options);
  try {
    return await action();
  } finally {
    release();
  }
}

function readLockQuietly(lock: string): string | undefined {
  try {
    return readFileSync(lock, "utf8");
  } catch {
    return undefined;
  }
}
