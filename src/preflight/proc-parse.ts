/**
 * Pure parsers for what Linux tells about TCP listeners: the text of /proc/net/tcp and
 * /proc/net/tcp6, fd links and /proc/<pid>/cmdline. No I/O here: proc.ts reads, these parse,
 * so the rules are tested on recorded text.
 */
import type { Listener } from "./types";

/** `st` of a listening socket in /proc/net/tcp{,6} (TCP_LISTEN). */
export const TCP_LISTEN = "0A";

/** Longest command kept in a holder (the message stays one readable line). */
export const MAX_COMMAND_LENGTH = 80;

/**
 * The listeners in the text of /proc/net/tcp (`family` 4) or /proc/net/tcp6 (`family` 6):
 * rows in state 0A; `local_address` is HEXADDR:HEXPORT, column 8 the uid, column 10 the
 * socket inode. Other rows (connections, TIME_WAIT, ...) and malformed rows are skipped.
 */
export function parseProcNetTcp(text: string, family: 4 | 6): Listener[] {
  const listeners: Listener[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== TCP_LISTEN) continue;
    const local = fields[1] ?? "";
    const colon = local.indexOf(":");
    const address = family === 4 ? ipv4FromHex(local.slice(0, colon)) : ipv6FromHex(local.slice(0, colon));
    const port = Number.parseInt(local.slice(colon + 1), 16);
    const uid = Number(fields[7]);
    const inode = Number(fields[9]);
    if (address === undefined || !Number.isInteger(port) || !Number.isInteger(inode) || !Number.isInteger(uid)) continue;
    listeners.push({ address, port, inode, uid });
  }
  return listeners;
}

/**
 * The listeners of one table on the `wanted` ports: exactly `parseProcNetTcp(text, family)`
 * filtered to those ports, without parsing the rows that cannot be among them. A row in the
 * kernel's fixed layout (`sl: ADDR:PORT ADDR:PORT ST ...`) is skipped on its state and port
 * alone, read in place; only a row on a wanted port in state 0A, or a row that does not follow
 * the layout to the letter, goes through the full parser. On a host with 10,000 unrelated
 * listeners that leaves a handful of rows to parse.
 */
export function parseProcNetTcpOn(text: string, family: 4 | 6, wanted: ReadonlySet<number>): Listener[] {
  const listeners: Listener[] = [];
  const addressLength = family === 4 ? 8 : 32;
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf("\n", start);
    const end = newline < 0 ? text.length : newline;
    if (!skippable(text, start, end, addressLength, wanted)) {
      for (const listener of parseProcNetTcp(text.slice(start, end), family)) if (wanted.has(listener.port)) listeners.push(listener);
    }
    start = end + 1;
  }
  return listeners;
}

/**
 * Whether the row text[start, end) certainly yields no listener on a wanted port: it has the
 * layout `parseProcNetTcp` would split into `sl:`, local, remote and state tokens at these
 * very places (so the fields it reads are these), and its state is not 0A or its port is not
 * wanted. False means "parse it fully", never "it is a listener".
 */
function skippable(text: string, start: number, end: number, addressLength: number, wanted: ReadonlySet<number>): boolean {
  const row = rowStart(text, start, end, addressLength);
  if (!row) return false;
  const { local, remote, tokenLength } = row;
  const state = remote + tokenLength + 1;
  if (state + 3 > end) return false;
  if (text.charCodeAt(state - 1) !== 0x20 || text.charCodeAt(state + 2) !== 0x20) return false;
  if (!solid(text, local, remote - 1) || !solid(text, remote, state - 1) || !solid(text, state, state + 2)) return false;
  if (text.charCodeAt(state) !== 0x30 || text.charCodeAt(state + 1) !== 0x41) return true; // not "0A": not a listener
  const portColon = local + addressLength;
  if (text.indexOf(":", local) !== portColon) return false;
  return !wanted.has(Number.parseInt(text.slice(portColon + 1, remote - 1), 16));
}

/**
 * Where the local and remote address tokens of the row text[start, end) begin, in the kernel's
 * fixed layout (`sl:` then single spaces between tokens of `addressLength + 5` characters), or
 * undefined when the row does not start that way.
 */
function rowStart(text: string, start: number, end: number, addressLength: number): { local: number; remote: number; tokenLength: number } | undefined {
  let first = start;
  while (first < end && text.charCodeAt(first) === 0x20) first++;
  const colon = text.indexOf(":", first);
  if (colon < 0 || colon >= end || !solid(text, first, colon)) return undefined;
  const local = colon + 2;
  const tokenLength = addressLength + 5;
  const remote = local + tokenLength + 1;
  if (remote > end || text.charCodeAt(colon + 1) !== 0x20 || text.charCodeAt(remote - 1) !== 0x20) return undefined;
  return { local, remote, tokenLength };
}

/** Whether text[from, to) is printable ASCII without spaces: one token, however a row is split on whitespace. */
function solid(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code <= 0x20 || code >= 0x7f) return false;
  }
  return true;
}

/**
 * Where the connections start in a chunk of /proc/net/tcp (`family` 4) or tcp6 (6): the offset
 * of the first complete row, at or after `from`, in the kernel's fixed layout with a peer
 * address other than all zeros; -1 when there is none yet. The kernel lists its listening
 * sockets first, each with the peer 00000000:0000, then its connections (established,
 * TIME_WAIT, SYN_RECV, ...), each with its peer and none of them a listener: nothing after that
 * row can be a listener. Rows off the layout never count as the start.
 */
export function connectionsStart(text: string, from: number, family: 4 | 6): number {
  const addressLength = family === 4 ? 8 : 32;
  for (let start = from; start < text.length; ) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) return -1; // an incomplete row: wait for the rest
    if (hasPeer(text, start, newline, addressLength)) return start;
    start = newline + 1;
  }
  return -1;
}

/** Whether the row text[start, end) is in the fixed layout and its peer (remote address and port) is not all zeros. */
function hasPeer(text: string, start: number, end: number, addressLength: number): boolean {
  const row = rowStart(text, start, end, addressLength);
  if (!row) return false;
  const { local, remote, tokenLength } = row;
  if (remote + tokenLength + 1 > end) return false;
  if (text.charCodeAt(remote + tokenLength) !== 0x20) return false;
  if (!solid(text, local, remote - 1) || text.charCodeAt(remote + addressLength) !== 0x3a) return false;
  let peer = false;
  for (let index = remote; index < remote + tokenLength; index++) {
    const code = text.charCodeAt(index);
    if (index === remote + addressLength) continue;
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66))) return false; // not hex
    if (code !== 0x30) peer = true;
  }
  return peer;
}

/** `0100007F` → `127.0.0.1`: the kernel prints the 32-bit address in host (little-endian) order. */
export function ipv4FromHex(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined;
  return wordBytes(hex).join(".");
}

/**
 * `00000000000000000000000001000000` → `::1`: four 32-bit words, each printed in host
 * (little-endian) order. IPv4-mapped addresses print as `::ffff:127.0.0.1`.
 */
export function ipv6FromHex(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) return undefined;
  const bytes = [0, 8, 16, 24].flatMap((start) => wordBytes(hex.slice(start, start + 8)));
  return formatIpv6(bytes);
}

/** The 4 bytes of one little-endian word printed as 8 hex digits, in network order. */
function wordBytes(hex: string): number[] {
  return [6, 4, 2, 0].map((start) => Number.parseInt(hex.slice(start, start + 2), 16));
}

/** RFC 5952 text of 16 bytes: lower case, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(bytes: readonly number[]): string {
  const mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join(".")}`;
  const groups = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  const run = longestZeroRun(groups);
  const hex = (list: number[]): string => list.map((group) => group.toString(16)).join(":");
  if (run.length < 2) return hex(groups);
  return `${hex(groups.slice(0, run.start))}::${hex(groups.slice(run.start + run.length))}`;
}

function longestZeroRun(groups: readonly number[]): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = -1;
  groups.forEach((group, index) => {
    if (group !== 0) {
      start = -1;
      return;
    }
    if (start < 0) start = index;
    const length = index - start + 1;
    if (length > best.length) best = { start, length };
  });
  return best;
}

/** The inode of an fd link `socket:[12345]`, or undefined for any other link (files, pipes, anon inodes). */
export function socketInode(link: string): number | undefined {
  const match = /^socket:\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : undefined;
}

/**
 * A readable command from the raw /proc/<pid>/cmdline (NUL-separated argv): the basename of
 * the first argument plus the other arguments, shortened to `max` characters. Empty when the
 * cmdline is (a kernel thread, a zombie).
 */
export function commandFromCmdline(raw: string, max = MAX_COMMAND_LENGTH): string {
  const args = raw.split("\0");
  while (args.length > 0 && args[args.length - 1] === "") args.pop();
  const [first, ...rest] = args;
  if (first === undefined) return "";
  const command = [first.slice(first.lastIndexOf("/") + 1), ...rest].join(" ").replace(/\s+/g, " ").trim();
  return command.length > max ? `${command.slice(0, max - 1)}…` : command;
}

/** Whether a command (as `commandFromCmdline` gives it) is Docker's userland proxy. */
export function isDockerProxy(command: string | undefined): boolean {
  return command !== undefined && /^docker-proxy(\s|$)/.test(command);
}
