import { isIP } from "node:net";

/**
 * Why a host name cannot be used in an endpoint, or undefined when it can.
 * Accepts DNS names (RFC 1123 labels), IPv4 and IPv6 addresses; rejects ports, schemes,
 * spaces and empty labels, which Fluvio would store and clients would fail on much later.
 */
export function hostProblem(host: string): string | undefined {
  if (host.length === 0) return "is empty";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return "must be a host name, not a URL (drop the scheme)";
  if (isIP(host) !== 0) return undefined;
  if (host.startsWith("[") && host.endsWith("]") && isIP(host.slice(1, -1)) === 6) return undefined;
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
  if (isIP(bare) === 6) {
    return "is an IPv6 literal, which Fluvio cannot take (it splits host:port on ':' into exactly two parts): use a DNS name that resolves to it";
  }
  return hostProblem(host);
}

/** `host:port`, with IPv6 addresses bracketed as clients expect. */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
