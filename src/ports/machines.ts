/**
 * One machine is one host: the spellings of a host name that surely mean the same machine are
 * read as one (`LOCALHOST`, `localhost `, `localhost.`, `127.0.0.1`, `::1` and, where the edge
 * says so, the machine's own names are all `localhost`), so that two stacks wanting one port
 * are seen to share it. Pure: the machine's own names come from the caller.
 */

/** The key every name of the machine that runs the command stands for. */
export const THIS_MACHINE = "localhost";

/** Names every machine gives itself (loopback). */
const LOOPBACK_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "::1", "0:0:0:0:0:0:0:1", "0.0.0.0", "::"]);

/**
 * The key a host name is compared by: trimmed, lower case, without a trailing dot or IPv6
 * brackets; every loopback spelling (and a name in `here`, the machine's own names) is
 * `localhost`. `*` (every host) stays `*`.
 */
export function machineKey(name: string, here?: ReadonlySet<string>): string {
  let key = name.trim().toLowerCase();
  if (key === "*") return key;
  if (key.startsWith("[") && key.endsWith("]")) key = key.slice(1, -1);
  while (key.endsWith(".") && key.length > 1) key = key.slice(0, -1);
  if (LOOPBACK_NAMES.has(key) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(key) || key.startsWith("::ffff:127.")) return THIS_MACHINE;
  if (key.endsWith(".localhost")) return THIS_MACHINE; // RFC 6761: every name under localhost. is loopback
  if (here?.has(key)) return THIS_MACHINE;
  return key;
}

/** Whether a name is an IP address literal (IPv4 dotted quad, or IPv6 with colons). */
export function isIpLiteral(name: string): boolean {
  const key = name.trim().replace(/^\[|\]$/g, "");
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(key) || (key.includes(":") && /^[0-9a-fA-F:.]+$/.test(key));
}

/**
 * Whether two hosts not known to be one machine might still be: a name and an address (a name
 * resolves to some address, which no pure function can tell). Two different names are two
 * machines, as the registry names them; so are two different addresses.
 */
export function samenessUnknown(a: string, b: string, here?: ReadonlySet<string>): boolean {
  const left = machineKey(a, here);
  const right = machineKey(b, here);
  if (left === right || left === "*" || right === "*") return false;
  return isIpLiteral(left) !== isIpLiteral(right);
}
