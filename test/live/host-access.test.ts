/**
 * Host resolution on the engine at hand (issue 12, part 2): ask it what it is, as `SpuCluster`
 * and `fluvio-ports` do, plan with its answer, and check on the engine that the plan's choice
 * works: a stand-in SPU published on the plan's addresses (and nowhere else) answers its local
 * endpoint from a client container on a network of its own that has only the plan's extra hosts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import { planHostAccess } from "../../src/plan/host-access";
import { askHostFacts } from "../../src/preflight/host-facts";
import { HOST_GATEWAY, bridgeGatewayAddress, buildDockerSpecs } from "../../src/targets/docker";
import { docker, skipLiveTier } from "../support/docker";
import { bridgeIpam, createNetwork, inspectContainer, removeEverything, runToCompletion } from "./support/engine";
import { buildStandInImage } from "./support/images";

const PREFIX = "fluvio-spu-hostaccess-test-";
const skip = skipLiveTier("test/live/host-access.test.ts");

describe.skipIf(skip)("host resolution on this engine", () => {
  let image: string;
  let gateway: string;

  beforeAll(async () => {
    await removeEverything(PREFIX);
    image = buildStandInImage();
    gateway = bridgeGatewayAddress(await bridgeIpam()) as string;
  });

  afterAll(async () => {
    await removeEverything(PREFIX);
  });

  it("the engine says it is Docker Engine on Linux, and the plan's local endpoint answers from another network through the plan's extra host only", async () => {
    const answer = askHostFacts();
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    const spec = parseClusterSpec({ name: "fluvio-spu-hostaccess-test", target: "docker", ports: { public: "19350-19359", private: "19360-19369", metrics: "19370-19379" }, spus: 1 });
    const plan = planCluster(spec, { stack: "live", hostFacts: answer });
    expect(planHostAccess(spec, answer)).toMatchObject({ platform: "docker-engine", source: "engine" });
    expect(plan.hostAccess).toMatchObject({ localHost: "host.docker.internal" });
    expect(plan.warnings).toEqual([]);

    const spu = plan.spus[0]!;
    const container = buildDockerSpecs(plan).containers.find((candidate) => candidate.role === "spu")!;
    const ports = container.ports.map((port) => ({ port: port.external, ip: port.ip === HOST_GATEWAY ? gateway : port.ip }));
    expect(ports.map((port) => port.ip)).toEqual(["127.0.0.1", gateway]);
    const server = `require("http").createServer((q, r) => r.end("spu ${spu.id}")).listen(${spu.ports.public})`;
    await createNetwork(`${PREFIX}cluster`);
    // Two bindings of one port (runToCompletion keeps one per port): the docker CLI.
    docker(["run", "-d", "--name", `${PREFIX}spu`, "--network", `${PREFIX}cluster`, ...ports.flatMap((port) => ["-p", `${port.ip}:${port.port}:${port.port}`]), image, "/usr/local/bin/node", "-e", server]);
    const bindings = (await inspectContainer(`${PREFIX}spu`)).HostConfig.PortBindings[`${spu.ports.public}/tcp`] as { HostIp: string }[];
    expect(bindings.map((binding) => binding.HostIp).sort()).toEqual(["127.0.0.1", gateway].sort());

    await createNetwork(`${PREFIX}app`);
    const client = `setTimeout(() => fetch("http://${spu.local}/", { signal: AbortSignal.timeout(3000) }).then((r) => r.text()).then((t) => console.log(t), (e) => { console.error(String(e.cause ?? e)); process.exit(1); }), 500)`;
    const result = await runToCompletion({
      name: `${PREFIX}client`,
      image,
      command: ["/usr/local/bin/node", "-e", client],
      network: `${PREFIX}app`,
      hosts: plan.hostAccess.extraHosts.map((entry) => `${entry.host}:${entry.ip}`),
    });
    expect(result.exitCode, result.logs).toBe(0);
    expect(result.logs.trim()).toBe(`spu ${spu.id}`);
  }, 120_000);
});
