/**
 * Reads the OS's TCP listener tables and finds the processes behind sockets, under a
 * `procRoot` (the real /proc, or a fake tree in tests). The tables are per network
 * namespace: this sees the host's listeners when it runs in the host's namespace.
 *
 * /proc is memory-backed: its reads never wait on a disk, so every read here is synchronous
 * (thousands of promises, or a trip through the thread pool per page of a table, cost more
 * than the reads themselves: measured, a busy host's tables read 1.4x slower that way even
 * beside bind probes).
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { commandFromCmdline, connectionsStart, parseProcNetTcpOn, socketInode } from "./proc-parse";
import type { Listener, SocketOwner } from "./types";

/** The listeners of /proc/net/tcp and /proc/net/tcp6; `readable` is false when neither table could be read. */
export interface ListenerTable {
  listeners: Listener[];
  readable: boolean;
}

/**
 * The listeners on the `wanted` ports in /proc/net/tcp and /proc/net/tcp6, each table read
 * once, in one synchronous read (a host without IPv6 has no tcp6: that is fine). Rows on other
 * ports are skipped before they are parsed (`parseProcNetTcpOn`).
 */
export function readListeners(procRoot: string, wanted: ReadonlySet<number>): ListenerTable {
  const v4 = readText(join(procRoot, "net", "tcp"), 4);
  const v6 = readText(join(procRoot, "net", "tcp6"), 6);
  return {
    listeners: [...(v4 === undefined ? [] : parseProcNetTcpOn(v4, 4, wanted)), ...(v6 === undefined ? [] : parseProcNetTcpOn(v6, 6, wanted))],
    readable: v4 !== undefined || v6 !== undefined,
  };
}

/** Whether either listener table can be opened (a host without /proc, or a sandbox hiding it, has neither). */
export function tablesReadable(procRoot: string): boolean {
  return ["tcp", "tcp6"].some((file) => {
    try {
      closeSync(openSync(join(procRoot, "net", file), "r"));
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * A listener table's text up to its first connection row (`connectionsStart`): the kernel
 * writes the table a page per read, and stopping there spares it the walk over its whole
 * connection hash (hundreds of thousands of buckets: most of the read on a quiet host).
 * Rows after that point are never listeners, so the listeners are those of the whole table.
 */
function readText(path: string, family: 4 | 6): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    const rows = rowCollector(family);
    for (;;) {
      const length = readSync(fd, buffer, 0, READ_SIZE, null);
      if (length === 0 || rows.add(buffer.toString("latin1", 0, length))) return rows.text();
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * A table's rows, page by page, up to its first connection row: `add` takes the next page and
 * says whether the listeners are complete; each page's rows are looked at once (a busy host's
 * table, 10,000 listeners, is 1.5 MB in 371 pages), a row cut by a page end completed by the next.
 */
function rowCollector(family: 4 | 6): { add: (page: string) => boolean; text: () => string } {
  const rows: string[] = [];
  let partial = "";
  return {
    add(page) {
      const text = partial + page;
      const complete = text.lastIndexOf("\n") + 1;
      const connections = connectionsStart(text.slice(0, complete), 0, family);
      rows.push(text.slice(0, connections >= 0 ? connections : complete));
      partial = connections >= 0 ? "" : text.slice(complete);
      return connections >= 0;
    },
    text: () => rows.join("") + partial,
  };
}

/** Bytes asked for per read (the kernel answers a page of the table at a time anyway). */
const READ_SIZE = 65_536;

/**
 * The processes holding the given socket inodes: ONE pass over /proc/<pid>/fd/* links,
 * stopping as soon as every inode is found. Other users' fds are unreadable without root
 * (EACCES) and processes exit mid-pass (ENOENT): both are skipped, so an inode may stay
 * without an owner. A socket shared by forked workers goes to the first process found:
 * /proc lists pids in ascending order, so usually the parent that opened it.
 */
export function findSocketOwners(procRoot: string, inodes: ReadonlySet<number>): Map<number, SocketOwner> {
  const owners = new Map<number, SocketOwner>();
  if (inodes.size === 0) return owners;
  for (const pid of listPids(procRoot)) {
    const dir = join(procRoot, String(pid), "fd");
    for (const fd of listFds(dir)) {
      const inode = socketInodeOf(`${dir}/${fd}`);
      if (inode === undefined || !inodes.has(inode) || owners.has(inode)) continue;
      owners.set(inode, { pid, command: commandOf(procRoot, pid) });
      // The rest of this process and every later one can only hold inodes that already have their owner.
      if (owners.size === inodes.size) return owners;
    }
  }
  return owners;
}

function listPids(procRoot: string): number[] {
  try {
    return readdirSync(procRoot)
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

function listFds(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The socket inode an fd link points at; undefined for other links and for an fd that closed between readdir and readlink. */
function socketInodeOf(link: string): number | undefined {
  try {
    return socketInode(readlinkSync(link));
  } catch {
    return undefined;
  }
}

/** The process's command from cmdline; its `comm` name when cmdline is empty; "" when it is gone. */
function commandOf(procRoot: string, pid: number): string {
  const read = (file: string): string => {
    try {
      return readFileSync(join(procRoot, String(pid), file), "utf8");
    } catch {
      return "";
    }
  };
  return commandFromCmdline(read("cmdline")) || read("comm").trim();
}
