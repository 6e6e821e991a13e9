/**
 * Composing `SpuCluster` with other resources, under Pulumi's mocks. What the port plan does not
 * depend on (images, TLS material) may be another resource's output, known only when the
 * program runs; the plan itself is made from plain values before anything is created, so it is
 * there, whole, right after the constructor returns, even in a preview where those outputs are
 * unknown.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { SpuCluster } from "../../src/component";
import { CONTAINER_PATHS } from "../../src/plan/layout";
import { runUnderMocks } from "../support/pulumi";

const CONTAINER = "docker:index/container:Container";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const cert = "-----BEGIN CERTIFICATE-----\nMIIB-composed-server-cert\n-----END CERTIFICATE-----";
const key = "-----BEGIN PRIVATE KEY-----\nMIIE-composed-server-key\n-----END PRIVATE KEY-----";

/** Text that arrives later, as another resource's output would. */
function later(value: string): pulumi.Output<string> {
  return pulumi.output(new Promise<string>((resolve) => setTimeout(() => resolve(value), 10)));
}

/** The key Pulumi marks a secret value with, and its signature. */
const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

describe("SpuCluster composed with other resources", () => {
  it("Docker: runs the image another resource names, and depends on that resource", async () => {
    const run = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () => {
        const image = new docker.RemoteImage("fluvio-image", { name: "registry.example.com/fluvio:0.18.1" });
        return new SpuCluster("fluvio", { environment: "dev", spus: 2, preflight: false, images: { fluvio: image.name } });
      },
    });
    const image = run.one("docker:index/remoteImage:RemoteImage", "fluvio-image");
    const nodes = run.byType(CONTAINER).filter((resource) => !/-(register|exporter|sync)$/.test(resource.inputs.name));
    expect(nodes.map((resource) => resource.inputs.name).sort()).toEqual(["fluvio-dev-sc", "fluvio-dev-spu-5001", "fluvio-dev-spu-5002"]);
    for (const node of nodes) {
      expect(node.inputs.image).toBe("registry.example.com/fluvio:0.18.1");
      expect(node.dependencies).toContain(image.urn);
    }
  });

  it("Docker: takes TLS material that arrives later as outputs, and uploads it as secrets", async () => {
    const run = await runUnderMocks({
      stack: "dev",
      stackFile: false,
      program: () =>
        new SpuCluster("fluvio", {
          environment: "dev",
          spus: 1,
          preflight: false,
          tls: { enabled: true },
          tlsCertificates: { serverCert: later(cert), serverKey: later(key), caCert: later(cert), clientCert: later(cert), clientKey: later(key) },
        }),
    });
    const sc = run.byType(CONTAINER).find((resource) => resource.inputs.name === "fluvio-dev-sc")!;
    const uploads = (sc.inputs.uploads.value ?? sc.inputs.uploads) as { file: string; content: string }[];
    expect(uploads.map((upload) => [upload.file, upload.content])).toEqual(expect.arrayContaining([[CONTAINER_PATHS.tlsServerCert, cert], [CONTAINER_PATHS.tlsServerKey, key]]));
    // Plain outputs in, secrets out: the uploads reach the engine wrapped as one secret.
    expect(sc.inputs.uploads[SECRET_KEY]).toBe(SECRET_SIG);
  });

  it("Kubernetes: runs the images other resources name", async () => {
    const run = await runUnderMocks({
      stack: "prod",
      stackFile: false,
      program: () => new SpuCluster("fluvio", { target: "kubernetes", environment: "prod", spus: 2, images: { fluvio: later("registry.example.com/fluvio:0.18.1"), exporter: later("registry.example.com/exporter:1") } }),
    });
    const sets = run.byType(STATEFUL_SET);
    expect(sets).toHaveLength(2);
    for (const set of sets) {
      const images = (set.inputs.spec.template.spec.containers as { image: string }[]).map((entry) => entry.image);
      expect(images).toEqual(expect.arrayContaining(["registry.example.com/fluvio:0.18.1", "registry.example.com/exporter:1"]));
    }
  });

  it("plans the ports from plain values before anything is created: the plan is whole while the images are still unknown", async () => {
    let planned: SpuCluster | undefined;
    let portsAtConstruction: number[] = [];
    await runUnderMocks({
      stack: "dev",
      stackFile: false,
      preview: true,
      program: () => {
        const image = new docker.RemoteImage("fluvio-image", { name: "registry.example.com/fluvio:0.18.1" });
        planned = new SpuCluster("fluvio", { environment: "dev", spus: 3, preflight: false, images: { fluvio: image.repoDigest } });
        portsAtConstruction = planned.plan.ports.map((row) => row.port);
        return planned;
      },
    });
    // The SC's public and private ports, and each SPU's public, private and metrics ports.
    expect(portsAtConstruction).toHaveLength(2 + 3 * 3);
    expect(portsAtConstruction.every((port) => Number.isInteger(port))).toBe(true);
    expect(planned!.plan.spus.map((spu) => spu.ports.public)).toEqual([9007, 9008, 9012]);
  });
});
