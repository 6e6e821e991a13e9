/**
 * `fluvio-ports doctor` on a real engine (issue 12, part 4): a small stack deployed from its
 * stack file with the live tier's stand-in images (the engine adapter applies the very Docker
 * spec the Pulumi target creates), then looked at: all fine, then an SPU stopped, then a port of
 * the stack held by a stranger.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStackFiles } from "../../src/context";
import { bridgeGatewayAddress, buildDockerSpecs } from "../../src/targets/docker";
import { runCli } from "../support/cli";
import { skipLiveTier } from "../support/docker";
import { buildExporterImage } from "../support/exporter-image";
import { makeProject } from "../support/project";
import { applyCluster, bridgeIpam, removeEverything } from "./support/engine";
import { buildStandInImage } from "./support/images";

const NAME = "fluvio-spu-doctor-test";
const skip = skipLiveTier("test/live/doctor.test.ts");

describe.skipIf(skip)("fluvio-ports doctor on a deployed Docker stack", () => {
  const root = makeProject({ live: { name: NAME, target: "docker", ports: { public: "19600-19609", private: "19610-19619", metrics: "19620-19629" }, spus: 1 } });
  let stranger: Server | undefined;

  beforeAll(async () => {
    await removeEverything(NAME);
    const image = buildStandInImage();
    const { plan } = planStackFiles(root, "live");
    const hostGateway = bridgeGatewayAddress(await bridgeIpam()) as string;
    const applied = await applyCluster(buildDockerSpecs(plan), { images: { fluvio: image, cli: image, exporter: buildExporterImage() }, hostGateway });
    expect(applied.jobs.map((job) => job.exitCode)).toEqual([0]);
  }, 180_000);

  afterAll(async () => {
    stranger?.close();
    await removeEverything(NAME);
  });

  it("finds nothing wrong on a fresh deployment", async () => {
    const result = await runCli(["doctor", "--stack", "live", "--root", root]);
    expect(result.out).toContain(`ok   SPU 5001 registration: registered with the plan's endpoints`);
    expect(result.out).not.toContain("FAIL");
    expect(result.code, result.out).toBe(0);
  }, 60_000);

  it("reports a stopped SPU and a stack port held by a stranger, with what to do", async () => {
    const { plan } = planStackFiles(root, "live");
    const spu = plan.spus[0]!;
    expect(spawnSync("docker", ["stop", "-t", "1", spu.host], { encoding: "utf8" }).status).toBe(0);
    // With the SPU stopped its public port is free: a stranger takes it.
    stranger = await new Promise<Server>((resolve, reject) => {
      const server = createServer((socket) => socket.destroy());
      server.once("error", reject);
      server.listen(spu.ports.public, "127.0.0.1", () => resolve(server));
    });
    const result = await runCli(["doctor", "--stack", "live", "--root", root]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(new RegExp(`FAIL SPU 5001: ${spu.host} is exited`));
    expect(result.out).toMatch(new RegExp(`FAIL port ${spu.ports.public}: planned for this stack, held by .*\\(pid ${process.pid}\\)`));
    expect(result.out).toContain("→ stop the holder, or pin another port with spus[0].publicPort");
  }, 60_000);
});
