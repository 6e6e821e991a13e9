/**
 * Issue 12, part 2: the container platform, told from the engine's `/info` and `/version`
 * answers (test/fixtures/engines: one recorded from this machine's engine, the others written
 * from each engine's documented fields), decides the local endpoints' host, the extra hosts and
 * the publish addresses, in the plan and in the Docker target's containers.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseClusterSpec, planCluster } from "../../src";
import { PLATFORM_ACCESS, detectPlatform, planHostAccess, type ContainerPlatform, type HostFactsAnswer } from "../../src/plan/host-access";
import { askHostFacts, askHostFactsAsync, hostFactsOf } from "../../src/preflight/host-facts";
import { composeFile, planImages } from "../../src/render/compose";
import { buildDockerSpecs } from "../../src/targets/docker/spec";

const FIXTURES = join(__dirname, "../fixtures/engines");

function answerOf(fixture: string): HostFactsAnswer {
  const raw = JSON.parse(readFileSync(join(FIXTURES, `${fixture}.json`), "utf8")) as { info: unknown; version: unknown };
  return { ok: true, facts: hostFactsOf(raw.info, raw.version) };
}

const config = { environment: "dev", spus: 2 };

function planWith(answer: HostFactsAnswer | undefined, extra: object = {}) {
  const spec = parseClusterSpec({ ...config, ...extra });
  const plan = planCluster(spec, { stack: "dev", ...(answer ? { hostFacts: answer } : {}) });
  return { spec, plan, docker: buildDockerSpecs(plan) };
}

const CASES: { fixture: string; platform: ContainerPlatform; localHost: string; extraHosts: string[]; publish: string[]; warns: boolean }[] = [
  { fixture: "docker-engine-linux", platform: "docker-engine", localHost: "host.docker.internal", extraHosts: ["host.docker.internal:host-gateway"], publish: ["127.0.0.1", "host-gateway"], warns: false },
  { fixture: "colima", platform: "colima", localHost: "host.docker.internal", extraHosts: ["host.docker.internal:host-gateway"], publish: ["127.0.0.1", "host-gateway"], warns: false },
  { fixture: "rootless-docker", platform: "rootless-docker", localHost: "host.docker.internal", extraHosts: ["host.docker.internal:host-gateway"], publish: ["127.0.0.1", "host-gateway"], warns: true },
  { fixture: "docker-desktop", platform: "docker-desktop", localHost: "host.docker.internal", extraHosts: [], publish: ["127.0.0.1"], warns: false },
  { fixture: "orbstack", platform: "orbstack", localHost: "host.docker.internal", extraHosts: [], publish: ["127.0.0.1"], warns: false },
  { fixture: "podman", platform: "podman", localHost: "host.containers.internal", extraHosts: [], publish: ["127.0.0.1", "host-gateway"], warns: false },
  { fixture: "rootless-podman", platform: "rootless-podman", localHost: "host.containers.internal", extraHosts: [], publish: ["127.0.0.1"], warns: true },
];

describe.each(CASES)("engine answer $fixture", (expected) => {
  const { spec, plan, docker } = planWith(answerOf(expected.fixture));

  it(`is ${expected.platform}: local endpoints on ${expected.localHost}, extra hosts [${expected.extraHosts.join(", ")}], published on [${expected.publish.join(", ")}]`, () => {
    expect(planHostAccess(spec, answerOf(expected.fixture))).toMatchObject({ platform: expected.platform, source: "engine" });
    expect(plan.hostAccess).toMatchObject({ localHost: expected.localHost, publishAddresses: expected.publish });
    expect(plan.hostAccess.extraHosts.map((entry) => `${entry.host}:${entry.ip}`)).toEqual(expected.extraHosts);
    for (const spu of plan.spus) expect(spu.local).toBe(`${expected.localHost}:${spu.ports.public}`);
    expect(plan.sc.local).toBe(`${expected.localHost}:${plan.sc.ports.public}`);
  });

  it("the containers get exactly those extra hosts and publications, and nothing on another interface", () => {
    for (const container of [...docker.containers, ...docker.registrations]) {
      expect(container.hosts.map((entry) => `${entry.host}:${entry.ip}`)).toEqual(expected.extraHosts);
      const publicPorts = container.ports.filter((port) => plan.spus.some((spu) => spu.ports.public === port.internal) || port.internal === plan.sc.ports.public);
      if (publicPorts.length > 0) expect([...new Set(publicPorts.map((port) => port.ip))]).toEqual(expected.publish);
      expect(container.ports.every((port) => port.ip !== "0.0.0.0" && port.ip !== "::")).toBe(true);
    }
  });

  it(expected.warns ? "warns about the caveat of the platform" : "warns about nothing", () => {
    expect(plan.warnings.length > 0).toBe(expected.warns);
    if (expected.warns) expect(plan.warnings[0]).toMatch(/^rootless (Docker|Podman): .*docker\.publishAddresses/);
  });
});

describe("the choice, beyond the table", () => {
  it("matches the docs' table row for row", () => {
    const readme = readFileSync(join(__dirname, "../../docs/targets.md"), "utf8");
    for (const [platform, access] of Object.entries(PLATFORM_ACCESS)) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${platform}\` |`));
      expect(row, `README row for ${platform}`).toBeDefined();
      expect(row).toContain(`\`${access.localHost}\``);
      for (const address of access.publishAddresses) expect(row).toContain(`\`${address}\``);
    }
  });

  it("without an engine answer: today's default, and a warning that says so", () => {
    const { spec, plan } = planWith({ ok: false, reason: "no Docker engine socket at /var/run/docker.sock" });
    expect(planHostAccess(spec, { ok: false, reason: "x" })).toMatchObject({ platform: null, source: "fallback" });
    expect(plan.hostAccess).toMatchObject({ localHost: "host.docker.internal", publishAddresses: ["127.0.0.1", "host-gateway"] });
    expect(plan.warnings).toEqual([expect.stringMatching(/^the container engine was not asked which platform it is \(no Docker engine socket at \/var\/run\/docker\.sock\): local endpoints use host\.docker\.internal/)]);
    const unknown = planWith(answerOf("windows-engine")).plan;
    expect(planHostAccess(spec, answerOf("windows-engine")).source).toBe("fallback");
    expect(unknown.warnings[0]).toMatch(/OperatingSystem 'Windows Server 2022.*none the table knows/);
  });

  it("not asked (a library call): today's default, silently, the plan unchanged", () => {
    const { spec, plan } = planWith(undefined);
    expect(planHostAccess(spec, undefined)).toMatchObject({ platform: null, source: "not-asked" });
    expect(plan.hostAccess).toMatchObject({ localHost: "host.docker.internal" });
    expect(plan.warnings).toEqual([]);
    // This machine's engine answer plans byte for byte what not asking plans.
    expect(JSON.stringify(planWith(answerOf("docker-engine-linux")).plan)).toBe(JSON.stringify(plan));
  });

  it("an explicit localEndpoint.host and docker.publishAddresses win over the platform; auto is the default spelled out", () => {
    const { plan, docker } = planWith(answerOf("podman"), { localEndpoint: { host: "gateway.internal" }, docker: { publishAddresses: ["127.0.0.1"] } });
    expect(plan.spus[0]!.local).toBe(`gateway.internal:${plan.spus[0]!.ports.public}`);
    expect(docker.containers.find((container) => container.role === "spu")!.ports.map((port) => port.ip)).toEqual(["127.0.0.1"]);
    expect(plan.warnings).toEqual([]);
    expect(planWith(answerOf("podman"), { localEndpoint: { host: "auto" } }).plan).toEqual(planWith(answerOf("podman")).plan);
    expect(planWith(answerOf("rootless-podman"), { docker: { publishAddresses: ["10.0.2.100"] } }).plan.warnings).toEqual([]);
  });

  it("the Compose file of a Desktop stack has no extra host and publishes on loopback only", () => {
    const { plan, docker } = planWith(answerOf("docker-desktop"));
    const services = Object.values(composeFile(docker, planImages(plan)).services);
    expect(services.every((service) => service.extra_hosts === undefined)).toBe(true);
    expect(services.flatMap((service) => service.ports ?? []).every((port) => port.startsWith("127.0.0.1:"))).toBe(true);
  });

  it("hostFactsOf keeps the fields the choice reads and drops the rest", () => {
    const facts = hostFactsOf({ OperatingSystem: "OrbStack", Name: "orbstack", Driver: "overlay2", SecurityOptions: ["name=cgroupns", 7] }, { Components: [{ Name: "Engine", Details: {} }], ApiVersion: "1.47" });
    expect(facts).toEqual({ info: { OperatingSystem: "OrbStack", Name: "orbstack", SecurityOptions: ["name=cgroupns"] }, version: { Components: [{ Name: "Engine" }] } });
    expect(detectPlatform(facts)).toBe("orbstack");
    expect(detectPlatform(hostFactsOf(null, "garbage"))).toBeUndefined();
  });
});

describe("asking the engine what it is: in process (the CLI) and through a child process (a program) read it alike", () => {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-facts-"));
  const socketPath = join(dir, "docker.sock");
  const INFO = { OperatingSystem: "Docker Desktop", OSType: "linux", Name: "docker-desktop", KernelVersion: "6.10.14-linuxkit", SecurityOptions: ["name=seccomp,profile=unconfined"], Containers: 3 };
  const VERSION = { Platform: { Name: "Docker Desktop 4.37.1 (178610)" }, Components: [{ Name: "Engine", Version: "27.4.0" }], ApiVersion: "1.47" };
  // In a process of its own: the child process askHostFacts starts asks it while this one waits.
  let engine: ChildProcess;
  beforeAll(async () => {
    const answers = JSON.stringify({ "/info": INFO, "/version": VERSION });
    engine = spawn(
      process.execPath,
      ["-e", `const a=${answers};require("node:http").createServer((q,r)=>a[q.url]?r.writeHead(200).end(JSON.stringify(a[q.url])):r.writeHead(404).end("{}")).listen(${JSON.stringify(socketPath)},()=>console.log("ready"))`],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => engine.stdout?.once("data", () => resolve()));
  });
  afterAll(() => {
    engine.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the same facts both ways, the fields the choice reads and no others", async () => {
    const inProcess = await askHostFactsAsync({ socketPath });
    expect(inProcess).toEqual({ ok: true, facts: hostFactsOf(INFO, VERSION) });
    expect(askHostFacts({ socketPath })).toEqual(inProcess);
    expect(JSON.stringify(inProcess)).not.toContain("Containers");
  });

  it("says why when there is no engine, both ways, and never throws", async () => {
    const absent = join(dir, "absent.sock");
    const inProcess = await askHostFactsAsync({ socketPath: absent });
    expect(inProcess).toEqual({ ok: false, reason: expect.stringContaining(`the engine at ${absent} did not answer (ENOENT`) });
    expect(askHostFacts({ socketPath: absent })).toMatchObject({ ok: false, reason: expect.stringContaining(absent) });
  });
});
