/**
 * The exporter's port probes: the `--probe` flags, the rendered families, and real TCP connects
 * on loopback (a listener, a closed port) and to a name that does not resolve.
 */
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { parseFlags, parseProbe } from "../../src/exporter/flags";
import { probePort, renderProbes } from "../../src/exporter/probe";
import { requestHandler } from "../../src/exporter/server";
import { samples } from "../support/prometheus";

const base = ["--socket", "/s", "--port", "9201", "--spu-id", "5001"];

describe("--probe flags", () => {
  it("parse repeated probes and the probe timeout", () => {
    expect(parseFlags([...base, "--probe", "public=fluvio-dev-spu-5001:9007", "--probe=private=[::1]:9105", "--probe-timeout-ms", "250"])).toMatchObject({
      kind: "ok",
      flags: {
        probes: [
          { role: "public", host: "fluvio-dev-spu-5001", port: 9007 },
          { role: "private", host: "::1", port: 9105 },
        ],
        probeTimeoutMs: 250,
      },
    });
  });

  it("refuse a malformed probe or a role given twice, in one line naming the value", () => {
    expect(parseProbe("public:9007")).toMatch(/^--probe "public:9007" is not <role>=<host>:<port>/);
    expect(parseProbe("public=host:70000")).toMatch(/70000/);
    expect(parseFlags([...base, "--probe", "public=a:1", "--probe", "public=b:2"])).toEqual({ kind: "error", message: "--probe role public given twice: one probe per role" });
    expect(parseFlags([...base, "--probe-timeout-ms", "0"])).toMatchObject({ kind: "error" });
  });
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

describe("probePort", () => {
  it("up for a listener, down for a closed port, down for a name that does not resolve", async () => {
    const server = createServer((socket) => socket.destroy());
    const open = await listen(server);
    const up = await probePort({ role: "public", host: "127.0.0.1", port: open }, 1000);
    expect(up).toMatchObject({ up: true });
    server.close();
    await new Promise((resolve) => server.once("close", resolve));
    const refused = await probePort({ role: "public", host: "127.0.0.1", port: open }, 1000);
    expect(refused).toMatchObject({ up: false, error: "ECONNREFUSED" });
    const unresolvable = await probePort({ role: "private", host: "no-such-spu.invalid", port: 9 }, 2000);
    expect(unresolvable.up).toBe(false);
    expect(unresolvable.error).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});

describe("rendering", () => {
  it("fluvio_spu_port_up and the probe duration, per role, beside the scrape's families", async () => {
    const text = renderProbes("5001", [
      { role: "public", host: "h", port: 1, up: true, durationSeconds: 0.002 },
      { role: "private", host: "h", port: 2, up: false, durationSeconds: 1, error: "timeout" },
    ]);
    const values = samples(text);
    expect(values.get('fluvio_spu_port_up{spu="5001",role="public"}')).toBe(1);
    expect(values.get('fluvio_spu_port_up{spu="5001",role="private"}')).toBe(0);
    expect(values.get('fluvio_spu_port_probe_duration_seconds{spu="5001",role="private"}')).toBe(1);
    expect(text).toContain("# TYPE fluvio_spu_port_up gauge\n");
    expect(renderProbes("5001", [])).toBe("");

    const handler = requestHandler("5001", async () => ({ ok: false, error: { reason: "socket_missing", detail: "" }, durationSeconds: 0 }), undefined, async () => [
      { role: "public", host: "h", port: 1, up: false, durationSeconds: 0.1 },
    ]);
    const body = await new Promise<string>((resolve) => {
      const res = { destroyed: false, writeHead: () => {}, end: (chunk: string) => resolve(chunk) };
      handler({ url: "/metrics", method: "GET" } as never, res as never);
    });
    expect(samples(body).get('fluvio_spu_up{spu="5001"}')).toBe(0);
    expect(samples(body).get('fluvio_spu_port_up{spu="5001",role="public"}')).toBe(0);
  });
});
