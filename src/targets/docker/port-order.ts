/**
 * The order the Docker provider reads published ports back in, so that a second `up` compares
 * equal lists. The provider (pulumi-docker 5.2.0, its Terraform provider's `flattenContainerPorts`)
 * lists a container's ports by internal port, ascending, and within one internal port in the
 * engine's order of `NetworkSettings.Ports`; and it diffs the list position by position, every
 * difference forcing a replacement. The engine's order is not the order it was given: Docker
 * 20.10 reports the bindings of one port in the reverse order (given `127.0.0.1, 172.17.0.1`,
 * it reports `172.17.0.1, 127.0.0.1`), so no fixed order written in the program can match it
 * (reversed once more, it reverses again). What matches is the running container's own order:
 * when the container exists and publishes exactly the planned bindings, they are declared in
 * the order the engine reports them; otherwise (first creation, or a real change, which
 * replaces the container anyway) in plan order, sorted by internal port as the provider reads.
 * Pure.
 */
import type { LiveBinding } from "../../preflight/containers";

/** A binding as the program declares it, its host address resolved (`host-gateway` replaced by the bridge gateway). */
export interface DeclaredBinding {
  internal: number;
  external: number;
  ip: string;
  protocol: string;
}

const key = (binding: Pick<DeclaredBinding, "internal" | "external" | "ip" | "protocol">): string => `${binding.protocol}/${binding.internal}/${binding.ip}/${binding.external}`;

/** Whether two lists hold the same bindings (as multisets). */
function sameBindings(declared: readonly DeclaredBinding[], live: readonly LiveBinding[]): boolean {
  if (declared.length !== live.length) return false;
  const a = declared.map(key).sort();
  const b = live.map(key).sort();
  return a.every((value, index) => value === b[index]);
}

/**
 * `declared` in the order the provider will read them back from the container: the live
 * container's order when it publishes exactly these bindings, else plan order; by internal port
 * ascending either way (a stable sort: plan order within one port).
 */
export function providerPortOrder<T extends DeclaredBinding>(declared: readonly T[], live: readonly LiveBinding[] | undefined): T[] {
  const byPort = [...declared].sort((a, b) => a.internal - b.internal);
  if (live === undefined || !sameBindings(declared, live)) return byPort;
  const rank = new Map(live.map((binding, index) => [key(binding), index]));
  return [...declared].sort((a, b) => a.internal - b.internal || (rank.get(key(a)) ?? 0) - (rank.get(key(b)) ?? 0));
}
