/**
 * Reads the OS's TCP listener tables and finds the processes behind sockets, under a
 * `procRoot` (the real /proc, or a fake tree in tests). The tables are per network
 * namespace: this sees the host's listeners when it runs in the host's namespace.
 *
 * /proc is memory-backed: its reads never wait on a disk, so every read here is synchronous
 * (thousands of promises, or a trip through the thread pool per table, would cost more than
 * the reads themselves).
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { commandFromCmdline, parseProcNetTcpOn, socketInode } from "./proc-parse";
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
  const v4 = readText(join(procRoot, "net", "tcp"));
  const v6 = readText(join(procRoot, "net", "tcp6"));
  return {
    listeners: [...(v4 === undefined ? [] : parseProcNetTcpOn(v4, 4, wanted)), ...(v6 === undefined ? [] : parseProcNetTcpOn(v6, 6, wanted))],
    readable: v4 !== undefined || v6 !== undefined,
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

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
