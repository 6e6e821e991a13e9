/**
 * How a Fluvio node's liveness is checked on every target: by asking the kernel whether the
 * node listens on its port, never by connecting to it. A connection costs Fluvio's logs: with
 * TLS a bare TCP probe of the TLS port makes the node log `error handshaking … tls handshake eof`
 * at every probe, and at `RUST_LOG=info` even a plaintext probe logs two lines ("Received
 * connection", "Response sent successfully, closing connection"); checked on 0.18.1. A socket in
 * LISTEN state accepts connections (the kernel queues them), which is all `nc -z` told.
 *
 * The check is `grep` over `/proc/net/tcp` and `/proc/net/tcp6` of the container's own network
 * namespace: the stock `infinyon/fluvio` image is Alpine, whose busybox has `grep` (and `sh`);
 * the check needs no `nc`, whose `-z` Debian's busybox lacks.
 */

/** `/proc/net/tcp{,6}` name a port as four upper-case hex digits. */
export function procNetPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * The argv (no shell) that exits 0 when something in the container listens on `port`, on any
 * address, IPv4 or IPv6: a line whose local address ends in `:<port>` and whose state is
 * `0A` (LISTEN; its remote address is then `…:0000`).
 */
export function listeningCheck(port: number): string[] {
  return ["grep", "-qs", `:${procNetPort(port)} [0-9A-F]*:0000 0A`, "/proc/net/tcp", "/proc/net/tcp6"];
}
