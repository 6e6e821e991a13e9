/**
 * The output folder of `fluvio-ports render` holds one whole set of rendered files: the old set
 * or the new one, never a mix, and no temporary file, even when a render is killed (SIGKILL,
 * power loss) at any moment. The folder may also hold the user's own files (`tls/` keys the
 * Compose file reads, notes): they are never moved, replaced or removed.
 *
 * How: a redo journal. The new set is written into a working folder inside the output folder
 * (`.fluvio-ports-render/new/`, so the final renames never cross a file system and need no
 * rights outside `--out`), each file flushed. Then one rename puts the journal
 * (`.fluvio-ports-render/switch.json`, naming the files to move in and the old files to drop) in
 * place: that rename is the switch's single commit point. After it, the staged files are renamed
 * over the old ones and the dropped ones unlinked, each step safe to repeat, and the working
 * folder is removed last. A render killed before the commit point left the old set untouched
 * (the next render, or `recoverRenderedFolder`, deletes the working folder: all old); killed
 * after it, the next one finishes the renames (all new). Every render does that recovery first,
 * under the folder's lock (`.fluvio-ports-render.lock`), before it looks at anything else.
 *
 * Not a folder of generated files behind one symbolic link swapped with one rename: the files
 * users review and commit to git would then be links (git stores the link, not the YAML), and
 * `render` refuses links at its names for good reason. Not a rename of the whole `--out` folder:
 * the user's own files live there.
 */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describeFileError, errorCode, fileError, readOptionalText, withFileLock, type AtomicWriteOptions } from "../config/files";

/** The working folder a render stages its new set in, inside `--out`; it exists only while a render runs (or was killed). */
export const RENDER_WORK_DIR = ".fluvio-ports-render";
/** Where the staged new files wait, inside the working folder. */
const STAGED_DIR = "new";
/** The journal whose appearance commits the switch, inside the working folder. */
const JOURNAL = "switch.json";
const JOURNAL_TEMP = "switch.json.tmp";

/** What the journal says: the rendered names to move in from the staging folder, and the old rendered names to drop. */
interface Journal {
  version: 1;
  write: string[];
  remove: string[];
}

/** Options of the switch: the injected writer of `AtomicWriteOptions`, and a hook per step. */
export interface SwitchOptions extends AtomicWriteOptions {
  /**
   * Called with a step's name (`stage docker-compose.yaml`, `commit`, `rename plan.json`, ...)
   * before the step, in recovery too. Tests stop the process there with SIGKILL to show that
   * every moment leaves a folder the next render brings back to one whole set.
   */
  onStep?: (step: string) => void;
}

/** One file of the new set. */
export interface SetFile {
  /** Its name inside the output folder. */
  name: string;
  text: string;
}

/**
 * Runs `action` holding the output folder's lock, after finishing or undoing a switch a killed
 * render left in `dir` (`recoverSwitch`). Throws a `HostError` of kind `file` when the lock or
 * the recovery fails.
 */
export function withRenderedFolder<T>(dir: string, action: () => T, options: SwitchOptions = {}): T {
  return withFileLock(join(dir, RENDER_WORK_DIR), () => {
    recoverSwitch(dir, options);
    return action();
  });
}

/**
 * Brings `dir` back to one whole set of rendered files, under its lock, after a render was
 * killed there: finishes a committed switch (the new set) or removes an uncommitted one's
 * working folder (the old set). What a reader of the folder calls first. Returns what it did.
 */
export function recoverRenderedFolder(dir: string, options: SwitchOptions = {}): "nothing" | "rolled back" | "finished" {
  return withFileLock(join(dir, RENDER_WORK_DIR), () => recoverSwitch(dir, options));
}

/**
 * Replaces the rendered files in `dir` by `files` and drops the old rendered files `remove`, as
 * one switch (see the file comment). Call it inside `withRenderedFolder`, after checking that
 * every name may be replaced. On a failure before the commit point (a full disk), nothing in
 * `dir` changed and the working folder is gone; the `HostError` names the output file.
 */
export function switchFiles(dir: string, files: readonly SetFile[], remove: readonly string[], options: SwitchOptions = {}): void {
  const step = options.onStep ?? (() => {});
  const work = join(dir, RENDER_WORK_DIR);
  const staged = join(work, STAGED_DIR);
  step("begin");
  try {
    mkdirSync(work);
    mkdirSync(staged);
  } catch (error) {
    throw fileError(work, `${describeFileError(error, "write")} (the folder render stages its files in)`);
  }
  try {
    for (const file of files) {
      step(`stage ${file.name}`);
      stageFile(join(dir, file.name), join(staged, file.name), file.text, options);
    }
    fsyncPath(staged);
    step("journal");
    const journal: Journal = { version: 1, write: files.map((file) => file.name), remove: [...remove] };
    stageFile(join(work, JOURNAL), join(work, JOURNAL_TEMP), `${JSON.stringify(journal)}\n`, {});
    step("commit");
    try {
      renameSync(join(work, JOURNAL_TEMP), join(work, JOURNAL));
    } catch (error) {
      throw fileError(join(work, JOURNAL), describeFileError(error, "write"));
    }
  } catch (error) {
    rollBack(dir);
    throw error;
  }
  fsyncPath(work);
  rollForward(dir, readJournal(dir)!, step);
}

/** Writes `text` into `temp` (new, with the mode of `target` if it exists), flushed to disk. Failures name `target`. */
function stageFile(target: string, temp: string, text: string, options: AtomicWriteOptions): void {
  let mode = 0o644;
  try {
    mode = statSync(target).mode & 0o777;
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw fileError(target, describeFileError(error, "write"));
  }
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", mode);
    (options.writeAll ?? writeAll)(fd, text);
    fsyncSync(fd);
  } catch (error) {
    throw fileError(target, describeFileError(error, "write"));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/**
 * Finishes or undoes the switch a killed render left in `dir`; nothing when there is none.
 * Call while holding the folder's lock. Every step can be repeated, so a recovery killed in
 * turn is finished by the next one.
 */
function recoverSwitch(dir: string, options: SwitchOptions): "nothing" | "rolled back" | "finished" {
  const work = join(dir, RENDER_WORK_DIR);
  let stat;
  try {
    stat = lstatSync(work);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return "nothing";
    throw fileError(work, describeFileError(error, "read"));
  }
  if (!stat.isDirectory()) throw fileError(work, "is render's working folder's name, but not a folder: move it away and render again");
  const journal = readJournal(dir);
  if (journal === undefined) {
    rollBack(dir);
    return "rolled back";
  }
  rollForward(dir, journal, options.onStep ?? (() => {}));
  return "finished";
}

/** The committed journal in `dir`'s working folder, or undefined before the commit point. */
function readJournal(dir: string): Journal | undefined {
  const path = join(dir, RENDER_WORK_DIR, JOURNAL);
  const text = readOptionalText(path, "the journal of an interrupted render");
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const journal = value as Partial<Journal> | undefined;
  const names = (list: unknown): list is string[] => Array.isArray(list) && list.every((name) => typeof name === "string" && name !== "" && !/[/\\]|^\.\.?$/.test(name));
  if (journal?.version !== 1 || !names(journal.write) || !names(journal.remove)) {
    throw fileError(path, "is not a journal render wrote (it is written whole, so something else changed it): check the files in the folder, then remove the .fluvio-ports-render folder and render again");
  }
  return journal as Journal;
}

/** The committed half: staged files renamed over the old ones, dropped ones unlinked, the journal and working folder removed. */
function rollForward(dir: string, journal: Journal, step: (name: string) => void): void {
  const work = join(dir, RENDER_WORK_DIR);
  const staged = join(work, STAGED_DIR);
  for (const name of journal.write) {
    step(`rename ${name}`);
    try {
      renameSync(join(staged, name), join(dir, name));
    } catch (error) {
      // Moved already, by the render that was killed or by an earlier recovery.
      if (errorCode(error) !== "ENOENT") throw fileError(join(dir, name), describeFileError(error, "write"));
    }
  }
  for (const name of journal.remove) {
    step(`remove ${name}`);
    removeFileIfAny(join(dir, name));
  }
  fsyncPath(dir);
  step("finish");
  removeFileIfAny(join(work, JOURNAL));
  removeWorkDir(dir);
}

/** The uncommitted half undone: the working folder and everything staged in it removed; the output files were never touched. */
function rollBack(dir: string): void {
  const work = join(dir, RENDER_WORK_DIR);
  const staged = join(work, STAGED_DIR);
  for (const name of listQuietly(staged)) removeFileIfAny(join(staged, name));
  removeFileIfAny(join(work, JOURNAL_TEMP));
  removeWorkDir(dir);
}

/** Removes the (emptied) working folder; something left in it that render did not put there is one line naming it. */
function removeWorkDir(dir: string): void {
  const work = join(dir, RENDER_WORK_DIR);
  for (const path of [join(work, STAGED_DIR), work]) {
    try {
      rmdirSync(path);
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT") continue;
      if (code === "ENOTEMPTY" || code === "EEXIST") throw fileError(path, `holds files render did not put there (${listQuietly(path).join(", ")}): move them away, then render again`);
      throw fileError(path, describeFileError(error, "write"));
    }
  }
  fsyncPath(dir);
}

/** Unlinks a file (never a folder); a missing one is fine. */
function removeFileIfAny(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    const code = errorCode(error);
    if (code !== "ENOENT") throw fileError(path, describeFileError(error, "write"));
  }
}

function listQuietly(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Flushes a file or folder (a folder: its entries, i.e. the renames in it) to disk; a file system that cannot is no error. */
function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    // fsync of a folder is not possible everywhere; the renames still happened
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
