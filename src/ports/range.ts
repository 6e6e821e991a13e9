/**
 * An inclusive range of TCP ports, as Kubernetes' `--service-node-port-range` reads:
 * `{ from: 9000, to: 9100 }` holds 101 ports.
 */
export interface PortRange {
  from: number;
  to: number;
}

/**
 * What a port is for. Each role draws from its own range policy:
 * `public` (clients → SC/SPU), `private` (SC ↔ SPU), `metrics` (the exporter beside an SPU),
 * `nodePort` (Kubernetes NodePort of an SPU's Service).
 */
export type PortRole = "public" | "private" | "metrics" | "nodePort";

/** Every role, in the order plans and records list them. */
export const PORT_ROLES: readonly PortRole[] = ["public", "private", "metrics", "nodePort"];


export const MAX_PORT = 65535;
/** Ports below this need root (or CAP_NET_BIND_SERVICE) and belong to system services. */
export const FIRST_UNPRIVILEGED_PORT = 1024;

export function rangeSize(range: PortRange): number {
  return range.to - range.from + 1;
}

export function inRange(port: number, range: PortRange): boolean {
  return port >= range.from && port <= range.to;
}

export function rangesOverlap(a: PortRange, b: PortRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/** The ports two ranges share, or undefined. */
export function rangeIntersection(a: PortRange, b: PortRange): PortRange | undefined {
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from <= to ? { from, to } : undefined;
}

export function formatRange(range: PortRange): string {
  return range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
}

/** Parses `9000-9100`, `9000` or `{ from, to }` into a range; undefined when it is neither. */
export function toRange(value: unknown): PortRange | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return { from: value, to: value };
  if (typeof value === "string") {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    return { from, to };
  }
  if (typeof value === "object" && value !== null && "from" in value && "to" in value) {
    const { from, to } = value as { from: unknown; to: unknown };
    if (typeof from === "number" && typeof to === "number") return { from, to };
  }
  return undefined;
}
