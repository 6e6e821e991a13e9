/**
 * The rendered Compose file on real tools: validated by Debian's `docker-compose` 1.29.2
 * (`config`), then brought up on the real engine with the live tier's stand-in images (mapped in
 * through the stack's `images` config), and checked from outside: the planned public and
 * metrics ports answer on the host, every SPU is registered with the plan's argv, and the local
 * endpoints answer from a second container on a network of its own, through
 * host.docker.internal (host-gateway). Ports 21000-21499 belong to this file.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { bridgeGatewayAddress } from "../../src/targets/docker/addresses";
import type { ClusterPlan } from "../../src/plan/types";
import { renderStack, HOST_GATEWAY_VARIABLE, type ComposeFile } from "../../src/render";
import { docker, skipLiveTier } from "../support/docker";
import { buildExporterImage } from "../support/exporter-image";
import { makeProject } from "../support/project";
import { buildStandInImage } from "./support/images";

const PROJECT = `fluvio-spu-render-test-${process.pid}`;
const CLIENT_NETWORK = `${PROJECT}-client`;
const STACK = "live";
const RANGES = { public: "21000-21019", private: "21020-21039", metrics: "21040-21059" };

/** Why docker-compose cannot be used here, or undefined. Under CI it must be installed (.ci/run installs it). */
function composeMissing(): boolean {
  const probe = spawnSync("docker-compose", ["version", "--short"], { encoding: "utf8" });
  if (!probe.error && probe.status === 0) return false;
  const reason = `docker-compose is not installed (${probe.error?.message ?? probe.stderr.trim()})`;
  if (process.env.CI === "true") throw new Error(`live tier test/live/render.test.ts: ${reason}; CI must install it (.ci/run: apt-get install docker-compose)`);
  console.warn(`\n*** SKIPPING test/live/render.test.ts: ${reason}. Install it with apt-get install docker-compose. ***\n`);
  return true;
}

const skip = skipLiveTier("test/live/render.test.ts") || composeMissing();

/** The engine's bridge gateway (where host.docker.internal points), as the Pulumi target finds it. */
function engineGateway(): string {
  const ipam = JSON.parse(docker(["network", "inspect", "bridge", "--format", "{{json .IPAM.Config}}"])) as { Subnet?: string; Gateway?: string }[];
  const address = bridgeGatewayAddress(ipam.map((entry) => ({ subnet: entry.Subnet, gateway: entry.Gateway })));
  if (!address) throw new Error("the bridge network has no IPv4 gateway");
  return address;
}

describe.skipIf(skip)("render: the Compose file on a real engine", () => {
  let root = "";
  let composePath = "";
  let plan: ClusterPlan;
  let gateway = "";

  const compose = (args: string[]) =>
    spawnSync("docker-compose", ["-p", PROJECT, "-f", composePath, ...args], {
      encoding: "utf8",
      env: { ...process.env, [HOST_GATEWAY_VARIABLE]: gateway },
      timeout: 150_000,
    });

  beforeAll(() => {
    const standIn = buildStandInImage();
    const exporter = buildExporterImage();
    root = makeProject({
      [STACK]: { name: "render-test", target: "docker", spus: 2, ports: RANGES, images: { fluvio: standIn, cli: standIn, exporter } },
    });
    const rendered = renderStack(root, STACK, `${root}/rendered`);
    composePath = rendered.manifest;
    plan = JSON.parse(readFileSync(rendered.plan, "utf8")) as ClusterPlan;
    gateway = engineGateway();
    compose(["down", "--volumes", "--remove-orphans", "--timeout", "2"]);
  });

  afterAll(() => {
    if (composePath) {
      const down = compose(["down", "--volumes", "--remove-orphans", "--timeout", "2"]);
      if (down.status !== 0) console.warn(`docker-compose down failed: ${down.stderr}`);
    }
    spawnSync("docker", ["network", "rm", CLIENT_NETWORK], { encoding: "utf8" });
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("is accepted by docker-compose config, which publishes the planned host ports, host port = container port", () => {
    const result = compose(["config"]);
    expect(result.status, result.stderr).toBe(0);
    const resolved = parseYaml(result.stdout) as { services: Record<string, { ports?: { published: number | string; target: number; host_ip?: string }[] | string[] }> };
    const published = Object.values(resolved.services).flatMap((service) =>
      (service.ports ?? []).map((entry) => {
        if (typeof entry === "string") {
          const [, ip, host, container] = /^(.+):(\d+):(\d+)/.exec(entry)!;
          return { ip, published: Number(host), target: Number(container) };
        }
        return { ip: entry.host_ip, published: Number(entry.published), target: entry.target };
      }),
    );
    for (const entry of published) expect(entry.published).toBe(entry.target);
    expect([...new Set(published.map((entry) => entry.published))].sort((a, b) => a - b)).toEqual(plan.hostPorts);
    expect(published.map((entry) => entry.ip)).toContain(gateway);
    expect(plan.hostPorts.every((port) => port >= 21000 && port <= 21499)).toBe(true);
  });

  it("comes up: every registration job, and the sync job after them, runs once and exits 0", async () => {
    const up = compose(["up", "-d"]);
    expect(up.status, `${up.stdout}\n${up.stderr}`).toBe(0);
    const file = parseYaml(readFileSync(composePath, "utf8"), { version: "1.1" }) as ComposeFile;
    const jobs = Object.values(file.services).filter((service) => service.restart === "no").map((service) => service.container_name);
    // One registration job per SPU, and the job that unregisters SPUs the plan no longer has.
    expect(jobs).toHaveLength(plan.spus.length + 1);
    expect(jobs.filter((job) => job?.endsWith("-sync"))).toHaveLength(1);
    for (const job of jobs) {
      const state = await waitFor(() => {
        const [status, code] = docker(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", job]).split(" ");
        return status === "exited" ? Number(code) : undefined;
      });
      expect(state, `${job}: ${docker(["logs", job])}`).toBe(0);
    }
  });

  it("answers on the planned public and metrics ports on the host, each port the node that owns it", async () => {
    const sc = await getJson(`http://127.0.0.1:${plan.sc.ports.public}/`);
    expect(sc).toMatchObject({ role: "sc", public: plan.sc.ports.public, private: plan.sc.ports.private });
    for (const spu of plan.spus) {
      expect(await getJson(`http://127.0.0.1:${spu.ports.public}/`)).toMatchObject({ role: "spu", id: spu.id, public: spu.ports.public, private: spu.ports.private });
      const health = await waitFor(async () => ((await fetchStatus(`http://127.0.0.1:${spu.ports.metrics}/healthz`)) === 200 ? 200 : undefined));
      expect(health, `SPU ${spu.id} metrics port ${spu.ports.metrics}`).toBe(200);
      // The exporter service (root, no capabilities, read-only) reads the stand-in SPU's socket.
      const up = await waitFor(async () => {
        const text = await (await fetch(`http://127.0.0.1:${spu.ports.metrics}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
        return text.includes(`fluvio_spu_up{spu="${spu.id}"} 1`) ? true : undefined;
      });
      expect(up, `SPU ${spu.id}: fluvio_spu_up 1 on ${spu.ports.metrics}`).toBe(true);
    }
  });

  it("registered every SPU with the plan's register argv", async () => {
    const registered = (await getJson(`http://127.0.0.1:${plan.sc.ports.public}/spus`)) as { id: number; argv: string[] }[];
    expect(registered.map((entry) => entry.id).sort()).toEqual(plan.spus.map((spu) => spu.id));
    for (const spu of plan.spus) expect(registered.find((entry) => entry.id === spu.id)!.argv).toEqual(spu.register);
  });

  it("answers on the local endpoints from a container on a network of its own, through host.docker.internal", () => {
    spawnSync("docker", ["network", "create", CLIENT_NETWORK], { encoding: "utf8" });
    const endpoints = plan.spus.map((spu) => spu.local as string);
    expect(endpoints.every((endpoint) => endpoint.startsWith("host.docker.internal:"))).toBe(true);
    const script = `
      const endpoints = ${JSON.stringify(endpoints)};
      Promise.all(endpoints.map((endpoint) => fetch("http://" + endpoint + "/").then((r) => r.json()).catch((e) => ({ error: String(e) }))))
        .then((answers) => console.log(JSON.stringify(answers)));`;
    const run = spawnSync(
      "docker",
      ["run", "--rm", "--network", CLIENT_NETWORK, "--add-host", "host.docker.internal:host-gateway", "--label", `fluvio-spu.test=${PROJECT}`, buildStandInImage(), "/usr/local/bin/node", "-e", script],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const answers = JSON.parse(run.stdout) as { id?: number; public?: number; error?: string }[];
    expect(answers).toEqual(plan.spus.map((spu) => expect.objectContaining({ role: "spu", id: spu.id, public: spu.ports.public })));
  });

  it("goes down tidily: no container, volume or network of the project is left", () => {
    const down = compose(["down", "--volumes", "--remove-orphans", "--timeout", "2"]);
    expect(down.status, down.stderr).toBe(0);
    const label = `label=fluvio-spu.cluster=${plan.namePrefix}`;
    expect(docker(["ps", "-a", "--filter", label, "--format", "{{.Names}}"])).toBe("");
    expect(docker(["volume", "ls", "--filter", label, "--format", "{{.Name}}"])).toBe("");
    expect(docker(["network", "ls", "--filter", label, "--format", "{{.Name}}"])).toBe("");
  });
});

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function fetchStatus(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  await response.arrayBuffer();
  return response.status;
}

async function getJson(url: string): Promise<unknown> {
  const answer = await waitFor(async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return response.ok ? ((await response.json()) as unknown) : undefined;
  });
  if (answer === undefined) throw new Error(`${url} did not answer`);
  return answer;
}
