/**
 * The names this machine answers to, for telling whether a stack's host is this machine: its
 * host name (and the short form of it), and the addresses of its network interfaces. Read once
 * per process; the planner and the registry compare host names through them (`machineKey`).
 */
import { hostname, networkInterfaces } from "node:os";
import { THIS_MACHINE, machineKey } from "../ports/machines";

let names: ReadonlySet<string> | undefined;

/** This machine's own names, lower case: host name, its first label, every interface address. */
export function thisMachineNames(): ReadonlySet<string> {
  if (names) return names;
  const found = new Set<string>();
  const own = hostname().trim().toLowerCase().replace(/\.$/, "");
  if (own) {
    found.add(own);
    found.add(own.split(".")[0] as string);
  }
  try {
    for (const addresses of Object.values(networkInterfaces())) for (const entry of addresses ?? []) found.add(entry.address.toLowerCase());
  } catch {
    // no interfaces to read (a sandbox): the host name still counts
  }
  names = found;
  return names;
}

/** This machine's host name, as messages name it. */
export function thisMachineName(): string {
  return hostname();
}

/** Whether a host name (not a group) is surely this machine. */
export function isThisMachine(host: string): boolean {
  return host.trim() === "*" || machineKey(host, thisMachineNames()) === THIS_MACHINE;
}
