/**
 * Reads the OS's TCP listener tables and finds the processes behind sockets, under a
 * `procRoot` (the real /proc, or a fake tree in tests). The tables are per network
 * namespace: this sees the host's listeners when it runs in the host's namespace.
 *
 * /proc is memory-backed: its reads never wait on a disk, so the fd pass uses synchronous
 * calls (thousands of promises would cost more than the reads themselves).
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { commandFromCmdline, parseProcNetTcp, socketInode } from "./proc-parse";
import type { Listener, SocketOwner } from "./types";

/** The listeners of /proc/net/tcp and /proc/net/tcp6; `readable` is false when neither table could be read. */
export interface ListenerTable {
  listeners: Listener[];
  readable: boolean;
}

/** Reads /proc/net/tcp and /proc/net/tcp6 once each (a host without IPv6 has no tcp6: that is fine). */
export async function readListeners(procRoot: string): Promise<ListenerTable> {
  const [v4, v6] = await Promise.all([readText(join(procRoot, "net", "tcp")), readText(join(procRoot, "net", "tcp6"))]);
  return {
    listeners: [...(v4 === undefined ? [] : parseProcNetTcp(v4, 4)), ...(v6 === undefined ? [] : parseProcNetTcp(v6, 6))],
    readable: v4 !== undefined || v6 !== undefined,
  };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
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
    for (const inode of socketInodesOf(procRoot, pid)) {
      if (!inodes.has(inode) || owners.has(inode)) continue;
      owners.set(inode, { pid, command: commandOf(procRoot, pid) });
    }
    if (owners.size === inodes.size) break;
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

function socketInodesOf(procRoot: string, pid: number): number[] {
  const dir = join(procRoot, String(pid), "fd");
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return [];
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    try {
      const inode = socketInode(readlinkSync(join(dir, fd)));
      if (inode !== undefined) inodes.push(inode);
    } catch {
      // the fd closed between readdir and readlink
    }
  }
  return inodes;
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
