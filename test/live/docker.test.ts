/**
 * The Docker target on a real engine: the plain specs `buildDockerSpecs` produces, applied
 * through a test-only Engine API adapter (the Pulumi CLI cannot be downloaded here), with
 * stand-in images built locally. Checks what only a real engine shows: public ports answer
 * on the host and not on the LAN address, local endpoints answer from a second container on
 * its own network through host-gateway, taken ports are reported before anything starts,
 * registrations reach the SC, and data survives a port change.
 * Ports 19000-19499 only; every object is named fluvio-spu-docker-test-*.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseClusterSpec, type ClusterSpec } from "../../src/config/schema";
import { clientProfile } from "../../src/plan/outputs";
import { planCluster } from "../../src/plan/plan";
import type { ClusterPlan } from "../../src/plan/types";
import { checkPorts } from "../../src/preflight";
import { CONTAINER_PATHS } from "../../src/plan/layout";
import { EXPORTER_SECURITY, REGISTERED_MARKER, bridgeGatewayAddress, buildDockerSpecs, preflightError, volumeNames } from "../../src/targets/docker";
import { docker, skipLiveTier } from "../support/docker";
import { applyCluster, bridgeIpam, createNetwork, inspectContainer, removeEverything, runToCompletion, waitHealthy, type AppliedCluster } from "./support/engine";
import { buildStandInImage } from "./support/images";

const PREFIX = "fluvio-spu-docker-test-";
const skip = skipLiveTier("test/live/docker.test.ts");

const baseConfig = {
  name: "fluvio-spu-docker-test",
  target: "docker",
  ports: { public: "19000-19049", private: "19100-19149", metrics: "19200-19249" },
  spus: [{ id: 5001 }, { id: 5002 }],
};

function planFor(config: unknown): { spec: ClusterSpec; plan: ClusterPlan } {
  const spec = parseClusterSpec(config);
  return { spec, plan: planCluster(spec, { stack: "live", project: "fluvio-spu" }) };
}

function httpGet(host: string, port: number, path = "/"): Promise<{ status: number; body: string }> {
  return fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(3000) }).then(async (res) => ({ status: res.status, body: await res.text() }));
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1500 });
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", () => resolve(false));
  });
}

/** The exporter's `fluvio_spu_up` for an SPU in a scrape, or undefined. */
function upOf(text: string, id: number): number | undefined {
  const match = new RegExp(`^fluvio_spu_up\\{spu="${id}"\\} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The inbound client record count in a scrape (the stand-in SPU's start count), or undefined. */
function recordsOf(text: string, id: number): number | undefined {
  const match = new RegExp(`^fluvio_spu_records_total\\{spu="${id}",direction="inbound",source="client"\\} (\\d+)$`, "m").exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Scrapes `/metrics` on the host until `done` holds (or 15 s pass); returns the last body. */
async function scrapeUntil(port: number, done: (text: string) => boolean): Promise<string> {
  let body = "";
  for (let attempt = 0; attempt < 60; attempt++) {
    const scrape = await httpGet("127.0.0.1", port, "/metrics").catch(() => ({ status: 0, body: "" }));
    body = scrape.body;
    if (scrape.status === 200 && done(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`127.0.0.1:${port}/metrics never showed what the test waits for; last scrape:\n${body}`);
}

/** This host's address on its LAN (not loopback, not a Docker bridge): what another machine would connect to. */
function lanAddress(): string | undefined {
  return Object.entries(networkInterfaces())
    .filter(([name]) => !/^(lo|docker|br-|veth)/.test(name))
    .flatMap(([, entries]) => entries ?? [])
    .find((entry) => entry.family === "IPv4" && !entry.internal)?.address;
}

describe.skipIf(skip)("the Docker target on a real engine", () => {
  let image: string;
  let exporterImage: string | undefined;
  let hostGateway: string;

  beforeAll(async () => {
    await removeEverything(PREFIX);
    image = buildStandInImage();
    const exporterModule = join(__dirname, "../support/exporter-image.ts");
    if (existsSync(exporterModule) && existsSync(join(__dirname, "../../dist/exporter/exporter.js"))) {
      const { buildExporterImage } = (await import(exporterModule)) as { buildExporterImage: () => string };
      exporterImage = buildExporterImage();
    }
    hostGateway = bridgeGatewayAddress(await bridgeIpam()) as string;
    expect(hostGateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  afterAll(async () => {
    await removeEverything(PREFIX);
  });

  const apply = (config: unknown): Promise<AppliedCluster & { plan: ClusterPlan }> => {
    const { spec, plan } = planFor(config);
    return applyCluster(buildDockerSpecs(plan), { images: { fluvio: image, cli: image, exporter: exporterImage ?? image }, hostGateway }).then((applied) => ({ ...applied, plan }));
  };

  it("reports a planned port held by another process or container before anything starts", async () => {
    const { plan } = planFor({ ...baseConfig, metrics: { enabled: false } });
    const byProcess = plan.sc.ports.public;
    const byContainer = plan.spus[1]!.ports.public;
    const server = net.createServer().listen(byProcess, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    await runToCompletion({ name: `${PREFIX}squatter`, image, command: ["/usr/local/bin/node", "-e", "setInterval(() => {}, 1000)"], ports: [{ port: byContainer, ip: "127.0.0.1" }], detach: true });
    try {
      const report = await checkPorts(plan);
      const byPort = new Map(report.conflicts.map((conflict) => [conflict.port, conflict]));
      expect(byPort.get(byProcess)?.holder.kind).toBe("process");
      expect(byPort.get(byProcess)?.message).toContain("SC public");
      expect(byPort.get(byContainer)?.holder.container).toBe(`${PREFIX}squatter`);
      expect(byPort.get(byContainer)?.message).toContain(`SPU ${plan.spus[1]!.id} public`);
      const error = preflightError(plan, report);
      expect(error?.message).toContain(`fluvio-ports check: 2 planned host ports are taken`);
      // Nothing of the cluster exists yet.
      expect(docker(["ps", "-a", "--filter", `label=fluvio-spu.cluster=${plan.namePrefix}`, "--format", "{{.Names}}"])).toBe("");
    } finally {
      server.close();
      docker(["rm", "-f", `${PREFIX}squatter`]);
    }
  });

  it("registers with client certificates when the SC demands them: the jobs read the CA, client certificate and key where their verified profile says", async () => {
    const tlsConfig = {
      ...baseConfig,
      name: "fluvio-spu-docker-test-tls",
      ports: { public: "19300-19319", private: "19320-19339", metrics: "19340-19359" },
      spus: [{ id: 5001 }],
      metrics: { enabled: false },
      tls: { enabled: true, clientAuth: true },
    };
    const { spec, plan } = planFor(tlsConfig);
    const fake = (what: string) => `-----BEGIN TEST ${what}-----\nfake-${what}-for-the-live-tier\n-----END TEST ${what}-----\n`;
    const secrets = { serverCert: fake("server-cert"), serverKey: fake("server-key"), caCert: fake("ca"), clientCert: fake("client-cert"), clientKey: fake("client-key") };
    const { jobs: all } = await applyCluster(buildDockerSpecs(plan), { images: { fluvio: image, cli: image, exporter: image }, hostGateway, secrets });
    // One registration job, and the sync job beside it (test/live/fluvio.test.ts runs that one on real Fluvio).
    const jobs = all.filter((candidate) => !candidate.name.endsWith("-sync"));
    expect(all.map((candidate) => candidate.name).filter((name) => name.endsWith("-sync"))).toHaveLength(1);
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job!.exitCode, job!.logs).toBe(0);
    expect(job!.logs).toContain(`verified TLS for domain ${plan.sc.host}: ca_cert fake-ca-for-the-live-tier, cert fake-client-cert-for-the-live-tier, key fake-client-key-for-the-live-tier`);
    expect(job!.logs).toContain(REGISTERED_MARKER);
    // The key is the owner's only; what the job's environment says holds paths, never the material.
    const inspected = await inspectContainer(job!.name);
    expect(JSON.stringify(inspected.Config.Env)).not.toContain("fake-");
    const listing = spawnSync("sh", ["-c", `docker cp ${job!.name}:/etc/fluvio/tls - | tar -tvf -`], { encoding: "utf8" });
    expect(listing.status, listing.stderr).toBe(0);
    const modes = Object.fromEntries(listing.stdout.trim().split("\n").map((line) => [line.split(/\s+/).pop()!, line.split(/\s+/)[0]]));
    expect(modes).toMatchObject({ "tls/client.key": "-r--------", "tls/client.crt": "-r--r--r--", "tls/ca.crt": "-r--r--r--" });
    for (const container of [plan.sc.name, ...plan.spus.map((spu) => spu.host), ...all.map((candidate) => candidate.name)]) docker(["rm", "-f", container]);
  });

  describe("a deployed cluster", () => {
    let deployed: AppliedCluster & { plan: ClusterPlan };

    beforeAll(async () => {
      deployed = await apply(baseConfig);
    });

    it("registers every SPU with the SC, local endpoint host.docker.internal:<public port> included", async () => {
      const { plan, jobs } = deployed;
      for (const job of jobs) {
        expect(job.exitCode, job.logs).toBe(0);
        expect(job.logs).toContain(REGISTERED_MARKER);
      }
      const registered = JSON.parse((await httpGet("127.0.0.1", plan.sc.ports.public, "/spus")).body) as { id: number; argv: string[] }[];
      expect(registered.map((entry) => entry.id).sort()).toEqual(plan.spus.map((spu) => spu.id));
      for (const spu of plan.spus) {
        const argv = registered.find((entry) => entry.id === spu.id)?.argv ?? [];
        expect(argv).toEqual(spu.register);
        expect(argv[argv.indexOf("--public-server-local") + 1]).toBe(`host.docker.internal:${spu.ports.public}`);
      }
    });

    it("answers on every public port on the host, and on no private port", async () => {
      const { plan } = deployed;
      expect(JSON.parse((await httpGet("127.0.0.1", plan.sc.ports.public)).body)).toMatchObject({ role: "sc", public: plan.sc.ports.public });
      for (const spu of plan.spus) {
        const identity = JSON.parse((await httpGet("127.0.0.1", spu.ports.public)).body);
        expect(identity).toMatchObject({ role: "spu", id: spu.id, public: spu.ports.public, sc: plan.sc.private });
        expect(identity.env.FLUVIO_METRIC_SPU).toBe("/var/run/fluvio-metrics/spu.sock");
        expect(await connects("127.0.0.1", spu.ports.private)).toBe(false);
      }
    });

    it("is not reachable on the host's LAN address", async (context) => {
      const lan = lanAddress();
      if (!lan) context.skip();
      for (const port of [deployed.plan.sc.ports.public, ...deployed.plan.spus.map((spu) => spu.ports.public)]) {
        expect(await connects(lan as string, port), `${lan}:${port}`).toBe(false);
      }
    });

    it("answers on every local endpoint from a second container on its own network, through host-gateway", async () => {
      const { plan } = deployed;
      const appNetwork = `${PREFIX}app`;
      await createNetwork(appNetwork);
      // The app knows only the container profile: the SC endpoint, then each SPU's local endpoint.
      const profile = clientProfile(plan, { inContainer: true });
      expect(profile).toContain("use_spu_local_address = true");
      const sc = /endpoint = "([^"]+)"/.exec(profile)?.[1] as string;
      const targets = [sc, ...plan.spus.map((spu) => spu.local as string)];
      const script = `Promise.all(${JSON.stringify(targets)}.map((t) => fetch("http://" + t + "/", { signal: AbortSignal.timeout(3000) }).then((r) => r.json()))).then((all) => console.log(JSON.stringify(all)), (e) => { console.error(String(e.cause ?? e)); process.exit(1); })`;
      const result = await runToCompletion({ name: `${PREFIX}app-client`, image, command: ["/usr/local/bin/node", "-e", script], network: appNetwork, hosts: ["host.docker.internal:host-gateway"] });
      expect(result.exitCode, result.logs).toBe(0);
      const answers = JSON.parse(result.logs.trim()) as { role: string; id?: number }[];
      expect(answers[0]).toMatchObject({ role: "sc" });
      expect(answers.slice(1).map((answer) => answer.id)).toEqual(plan.spus.map((spu) => spu.id));
    });

    it("serves Prometheus text from the exporter, a container of its own, on the planned metrics port, read from the SPU's socket", async (context) => {
      if (!exporterImage) {
        console.warn("exporter image unavailable (test/support/exporter-image.ts or dist/exporter missing): metrics scrape skipped");
        context.skip();
      }
      const { plan, containers } = deployed;
      const spu = plan.spus[0]!;
      const exporterName = `${spu.host}-exporter`;
      // The stand-in SPU serves a metrics document on its socket, as Fluvio's does; the exporter,
      // running as root with no capability left, reads it through the socket volume.
      const body = await scrapeUntil(spu.ports.metrics as number, (text) => upOf(text, spu.id) === 1);
      expect(recordsOf(body, spu.id)).toBeGreaterThanOrEqual(1);
      expect((await httpGet("127.0.0.1", spu.ports.metrics as number, "/healthz")).status).toBe(200);
      // Its own network namespace, on the cluster network, by the alias the plan names.
      const exporter = await inspectContainer(exporterName);
      expect(exporter.HostConfig.NetworkMode).toBe(plan.namePrefix);
      expect(exporter.NetworkSettings.Networks[plan.namePrefix].Aliases).toContain(`${plan.namePrefix}-spu-${spu.id}-exporter`);
      expect(exporter.Config.User).toBe("0:0");
      expect(exporter.HostConfig.CapDrop).toEqual(["ALL"]);
      expect(exporter.HostConfig.ReadonlyRootfs).toBe(true);
      const fromNetwork = await runToCompletion({
        name: `${PREFIX}metrics-client`,
        image,
        network: plan.namePrefix,
        command: ["/usr/local/bin/node", "-e", `fetch("http://${plan.namePrefix}-spu-${spu.id}-exporter:${spu.ports.metrics}/healthz").then((r) => process.exit(r.status === 200 ? 0 : 1), (e) => { console.error(String(e.cause ?? e)); process.exit(1); })`],
      });
      expect(fromNetwork.exitCode, fromNetwork.logs).toBe(0);
      // Docker's own verdict on the health checks the spec declares (nc -z on the SPU, node on /healthz).
      await Promise.all([waitHealthy(spu.host, containers.get(spu.host) as string), waitHealthy(exporterName, containers.get(exporterName) as string)]);
    });

    it("keeps answering on the metrics port after `docker restart` of its SPU, from the restarted SPU's new socket", async (context) => {
      if (!exporterImage) context.skip();
      const { plan, containers } = deployed;
      const spu = plan.spus[0]!;
      const exporterName = `${spu.host}-exporter`;
      const port = spu.ports.metrics as number;
      const before = recordsOf(await scrapeUntil(port, (text) => upOf(text, spu.id) === 1), spu.id) as number;
      expect(before).toBeGreaterThanOrEqual(1);
      const exporterStarted = (await inspectContainer(exporterName)).State.StartedAt as string;
      docker(["restart", "--time", "1", spu.host]);
      // The stand-in counts its starts: the next run's document says before + 1.
      const after = await scrapeUntil(port, (text) => upOf(text, spu.id) === 1 && recordsOf(text, spu.id) === before + 1);
      expect(recordsOf(after, spu.id)).toBe(before + 1);
      const exporter = await inspectContainer(exporterName);
      expect(exporter.State.StartedAt).toBe(exporterStarted);
      expect(exporter.RestartCount).toBe(0);
      await waitHealthy(exporterName, containers.get(exporterName) as string);
    });

    it("the SPU's socket refuses the exporter image's own user (uid 1000): why the exporter runs as the SPU's uid", async (context) => {
      if (!exporterImage) context.skip();
      const spu = deployed.plan.spus[0]!;
      await scrapeUntil(spu.ports.metrics as number, (text) => upOf(text, spu.id) === 1);
      const probe = `require("net").connect(${JSON.stringify(CONTAINER_PATHS.metricsSocket)}).on("data", () => { console.log("connected"); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(1); })`;
      const volume = { volume: volumeNames(deployed.plan).spuMetrics(spu), target: CONTAINER_PATHS.metricsDir, readOnly: true };
      const asNode = await runToCompletion({ name: `${PREFIX}socket-probe`, image, user: "1000:1000", volumes: [volume], command: ["/usr/local/bin/node", "-e", probe] });
      expect(asNode.logs.trim()).toBe("EACCES");
      const asRoot = await runToCompletion({ name: `${PREFIX}socket-probe`, image, user: EXPORTER_SECURITY.user, volumes: [volume], command: ["/usr/local/bin/node", "-e", probe] });
      expect(asRoot.logs.trim()).toBe("connected");
    });

    it("keeps an SPU's data when its port changes, and re-registers it once at the new port", async () => {
      const before = deployed.plan.spus[1]!;
      expect((await fetch(`http://127.0.0.1:${before.ports.public}/data/canary`, { method: "PUT", body: "kept across replacements" })).status).toBe(200);
      const moved = await apply({ ...baseConfig, spus: [{ id: 5001 }, { id: 5002, publicPort: 19040 }] });
      const after = moved.plan.spus[1]!;
      expect(after.ports.public).toBe(19040);
      expect(moved.plan.spus[0]!.ports).toEqual(deployed.plan.spus[0]!.ports);
      expect(await connects("127.0.0.1", before.ports.public)).toBe(false);
      expect(JSON.parse((await httpGet("127.0.0.1", 19040, "/data/canary")).body)).toEqual({ content: "kept across replacements" });
      const registered = JSON.parse((await httpGet("127.0.0.1", moved.plan.sc.ports.public, "/spus")).body) as { id: number; argv: string[] }[];
      expect(registered.filter((entry) => entry.id === 5002)).toEqual([{ id: 5002, argv: after.register }]);
      expect(registered).toHaveLength(2);
      expect(after.register).toContain("host.docker.internal:19040");
    });
  });
});
