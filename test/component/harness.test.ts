import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { runUnderMocks, valueOf } from "../support/pulumi";

describe("the mock harness", () => {
  it("records inputs, parents, dependencies and resource options as the engine would receive them", async () => {
    const run = await runUnderMocks({
      stack: "dev",
      program: () => {
        const parent = new pulumi.ComponentResource("test:index:Parent", "p");
        const volume = new docker.Volume("data", { name: "data-vol" }, { parent, retainOnDelete: true });
        const net = new docker.Network("net", { name: "n1" }, { parent, deleteBeforeReplace: true, dependsOn: [volume] });
        return { net: net.name, config: new pulumi.Config("fluvio-spu").requireObject<{ spus: number }>("cluster") };
      },
    });
    expect(run.one("docker:index/volume:Volume", "data").options.retainOnDelete).toBe(true);
    const network = run.one("docker:index/network:Network", "net");
    expect(network.options.deleteBeforeReplace).toBe(true);
    expect(network.inputs.name).toBe("n1");
    expect(network.parent).toContain("test:index:Parent");
    expect(network.dependencies.some((urn) => urn.endsWith("::data"))).toBe(true);
    expect(run.result.config.spus).toBe(3);
    expect(await valueOf(run.result.net)).toBe("n1");
  });
});
