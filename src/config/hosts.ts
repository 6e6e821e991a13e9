import { isIPv4, isIPv6 } from "node:net";
import type { ConfigIssue } from "../errors";
import { HOST_GATEWAY } from "./presets";

/**
 * 4 or 6 for an IP address, else 0: `net.isIP`, asking the IPv6 question only of text with a
 * ':' (no IPv4 address or DNS name has one). Node compiles its IPv6 pattern on first use, which
 * costs a command more than the rest of its config checks.
 */
export function ipFamily(value: string): 0 | 4 | 6 {
  if (value.includes(":")) return isIPv6(value) ? 6 : 0;
  return isIPv4(value) ? 4 : 0;
}

/**
 * Why a host name cannot be used in an endpoint, or undefined when it can.
 * Accepts DNS names (RFC 1123 labels), IPv4 and IPv6 addresses; rejects ports, schemes,
 * spaces and empty labels, which Fluvio would store and clients would fail on much later.
 */
function hostProblem(host: string): string | undefined {
  if (host.length === 0) return "is empty";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return "must be a host name, not a URL (drop the scheme)";
  if (ipFamily(host) !== 0) return undefined;
  if (host.startsWith("[") && host.endsWith("]") && ipFamily(host.slice(1, -1)) === 6) return undefined;
  if (/:\d+$/.test(host)) return "must not carry a port (give the port in its own field)";
  if (host.length > 253) return `is ${host.length} characters long; DNS names end at 253`;
  const labels = host.split(".");
  for (const label of labels) {
    if (label.length === 0) return "has an empty label (two dots in a row, or a leading or trailing dot)";
    if (label.length > 63) return `has the label '${label}' of ${label.length} characters; DNS labels end at 63`;
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(label)) {
      return `has the label '${label}': use letters, digits and '-' (not at either end)`;
    }
  }
  return undefined;
}

/**
 * Why a host cannot be an endpoint host that Fluvio stores and clients dial, or undefined when
 * it can: `hostProblem`, and no IPv6 literal (bracketed or not). Fluvio splits `host:port` on
 * ':' into exactly two parts (`fluvio cluster spu register`, and clients build `host:port`
 * unbracketed), so an IPv6 address cannot pass, and a bad `--public-server-local` is dropped
 * silently. A DNS name that resolves to the address works.
 */
export function endpointHostProblem(host: string): string | undefined {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (ipFamily(bare) === 6) {
    return "is an IPv6 literal, which Fluvio cannot take (it splits host:port on ':' into exactly two parts): use a DNS name that resolves to it";
  }
  return hostProblem(host);
}

/** `host:port`, with IPv6 addresses bracketed as clients expect. */
export function joinHostPort(host: string, port: number): string {
  return ipFamily(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

const WILDCARDS = new Set(["0.0.0.0", "::"]);

/**
 * What is wrong with `docker.publishAddresses`, if anything: each entry must be an IP address
 * or `host-gateway`; one address family only (publishing one port on IPv4 and IPv6 makes
 * @pulumi/docker plan a replacement on every run); a wildcard (`0.0.0.0`, `::`) already covers
 * every address and must stand alone (Docker refuses to bind a port twice).
 */
export function publishAddressIssues(addresses: readonly string[]): ConfigIssue[] {
  const path = "docker.publishAddresses";
  const issues: ConfigIssue[] = [];
  const families = new Set<number>();
  addresses.forEach((address, index) => {
    if (address === HOST_GATEWAY) {
      families.add(4);
      return;
    }
    const family = ipFamily(address);
    if (family === 0) {
      issues.push({ path: `${path}[${index}]`, message: `'${address}' is not an IP address: give an address such as 127.0.0.1, or ${HOST_GATEWAY} for the Docker bridge gateway` });
      return;
    }
    families.add(family);
  });
  if (families.size > 1) {
    issues.push({
      path,
      message: `mixes IPv4 and IPv6 (${addresses.join(", ")}): @pulumi/docker then plans a replacement of every container on every run; publish on one address family`,
    });
  }
  const wildcard = addresses.find((address) => WILDCARDS.has(address));
  if (wildcard !== undefined && addresses.length > 1) {
    issues.push({ path, message: `${wildcard} already publishes on every address; list it alone, or drop it and list the addresses you mean` });
  }
  if (new Set(addresses).size !== addresses.length) {
    issues.push({ path, message: `lists an address twice (${addresses.join(", ")}): Docker cannot bind one port twice on one address; drop the duplicate` });
  }
  return issues;
}

