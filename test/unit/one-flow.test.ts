/**
 * One flow: config is validated once, so every command accepts and refuses the same configs;
 * one plan context, so the CLI describes what a program deploys (its project, its cluster name
 * and config key); the plan carries every decision the targets read.
 */
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { clusterJsonSchema, parseClusterSpec, stackFileJsonSchema } from "../../src/config/schema";
import { readStackConfig } from "../../src/config/stack";
import { planStackFiles, readProjectName } from "../../src/context";
import { planCluster } from "../../src/plan/plan";
import { renderStack } from "../../src/render/stack";
import { runCli } from "../support/cli";
import { makeProject } from "../support/project";

const ROOT = join(__dirname, "..", "..");
const TWO_ENVIRONMENTS = join(ROOT, "examples", "two-environments");

describe("one schema, one validation", () => {
  const badConfigs: Record<string, Record<string, unknown>> = {
    "a publish address that is not an IP": { environment: "dev", spus: 1, docker: { publishAddresses: ["not-an-ip"] } },
    "a ServiceMonitor without metrics": { target: "kubernetes", environment: "prod", spus: 1, metrics: { enabled: false }, kubernetes: { serviceMonitor: true } },
    "a host.docker.internal local endpoint behind ClusterIP": { target: "kubernetes", environment: "prod", spus: 1, kubernetes: { serviceType: "ClusterIP" } },
  };

  for (const [what, cluster] of Object.entries(badConfigs)) {
    it(`plan, plan --record, check and render all refuse ${what}, and --record writes nothing`, async () => {
      const root = makeProject({ bad: cluster }, "claims: []\n");
      const registryBefore = readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8");
      for (const args of [["plan"], ["plan", "--record"], ["check"], ["render", "--out", join(root, "out")]]) {
        const result = await runCli([...args, "--stack", "bad", "--root", root]);
        expect(result.code, `${args.join(" ")}: ${result.err}`).toBe(2);
        expect(result.out).toBe("");
      }
      expect(readFileSync(join(root, "stacks", "ports.registry.yaml"), "utf8")).toBe(registryBefore);
    });
  }

  it("the JSON Schema accepts every stack file this project and its examples ship, and names a typo", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(clusterJsonSchema());
    for (const [root, stack] of [
      [ROOT, "dev"],
      [ROOT, "prod"],
      [TWO_ENVIRONMENTS, "dev"],
      [TWO_ENVIRONMENTS, "prod"],
    ] as const) {
      const value = JSON.parse(readStackConfig(root, stack)["fluvio-spu:cluster"] as string) as unknown;
      expect(validate(value), `${root} ${stack}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(() => parseClusterSpec(value)).not.toThrow();
    }
    expect(validate({ spus: 3, strategey: "sequential" })).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/strategey/);
  });

  it("the stack-file schema accepts whole stack files as they are in git, and names a typo under the cluster key", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(stackFileJsonSchema("fluvio-spu:cluster"));
    for (const file of ["stacks/Pulumi.dev.yaml", "stacks/Pulumi.prod.yaml", "examples/two-environments/Pulumi.prod.yaml"]) {
      const doc = parseYaml(readFileSync(join(ROOT, file), "utf8")) as unknown;
      expect(validate(doc), `${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    expect(validate({ config: { "fluvio-spu:cluster": { spus: 2, enviroment: "dev" }, "aws:region": "eu-west-1" } })).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/enviroment/);
    expect(validate({ config: { "fluvio-spu:cluster": { spus: 2 }, "aws:region": "eu-west-1" } })).toBe(true);
  });

  it("documents every field once, with its default, for an editor's hover", () => {
    const schema = clusterJsonSchema() as { properties: Record<string, { description?: string }> };
    for (const [field, property] of Object.entries(schema.properties)) expect(property.description, field).toMatch(/\w/);
    expect(schema.properties.strategy?.description).toMatch(/Default sequential/);
  });

  it("plans a parsed spec without parsing it again, and raw config the same way", () => {
    const raw = { environment: "dev", spus: [{ id: 7 }, { id: 3 }] };
    const spec = parseClusterSpec(raw);
    expect(JSON.stringify(planCluster(spec, { stack: "dev" }))).toBe(JSON.stringify(planCluster(raw, { stack: "dev" })));
  });
});

describe("the plan carries every decision", () => {
  it("names, for each port, the field the user edits, with their own index into the SPU list", () => {
    const plan = planCluster(parseClusterSpec({ environment: "dev", spus: [{ id: 7 }, { id: 3 }] }), { stack: "dev" });
    const publicPaths = Object.fromEntries(plan.ports.filter((row) => row.role === "public").map((row) => [row.owner, row.configPath]));
    expect(publicPaths).toEqual({ sc: "sc.publicPort", "spu-3": "spus[1].publicPort", "spu-7": "spus[0].publicPort" });
  });

  it("holds the Docker and Kubernetes decisions the targets read: network, publishing, retention, storage, TLS files", () => {
    const docker = planCluster(parseClusterSpec({ environment: "dev", spus: 1, docker: { network: "shared", deleteDataOnDestroy: true }, tls: { enabled: true, clientAuth: true } }), { stack: "dev" });
    expect(docker.docker).toEqual({ network: { name: "shared", create: false }, publishAddresses: ["127.0.0.1", "host-gateway"], publishPrivate: false, publishMetrics: true, retainData: false });
    expect(docker.kubernetes).toBeNull();
    expect(docker.tls.server.map((file) => file.secret)).toEqual(["serverCert", "serverKey", "caCert"]);
    expect(docker.tls.registration.map((file) => file.secret)).toEqual(["caCert", "clientCert", "clientKey"]);
    const kubernetes = planCluster(parseClusterSpec({ target: "kubernetes", environment: "prod", spus: 1, kubernetes: { namespace: "default", storageClass: "fast" } }), { stack: "prod" });
    expect(kubernetes.kubernetes).toMatchObject({ namespace: "default", createNamespace: false, storage: { size: "10Gi", className: "fast" } });
    expect(kubernetes.docker).toBeNull();
  });
});

describe("one plan context", () => {
  it("render labels objects with the project's own name, as pulumi up of that project does", () => {
    const project = readProjectName(TWO_ENVIRONMENTS);
    expect(project).toBe((parseYaml(readFileSync(join(TWO_ENVIRONMENTS, "Pulumi.yaml"), "utf8")) as { name: string }).name);
    const out = mkdtempSync(join(tmpdir(), "fluvio-spu-render-"));
    const rendered = renderStack(TWO_ENVIRONMENTS, "prod", out);
    const text = readFileSync(rendered.manifest, "utf8");
    expect(text).toContain(`app.kubernetes.io/part-of: ${project}`);
    expect(text).not.toContain("app.kubernetes.io/part-of: fluvio-spu");
    expect(planStackFiles(TWO_ENVIRONMENTS, "prod").plan.project).toBe(project);
  });

  it("describes a composed cluster by its resource name and config key, and says when it guesses", async () => {
    const root = makeProject({});
    writeFileSync(join(root, "Pulumi.yaml"), "name: orders\nruntime: nodejs\nstackConfigDir: stacks\n");
    writeFileSync(join(root, "stacks", "Pulumi.dev.yaml"), stringify({ config: { "orders:bus": { environment: "dev", spus: 2 } } }));
    const missing = await runCli(["plan", "--stack", "dev", "--root", root]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/fluvio-spu:cluster.*--key/);

    const named = await runCli(["plan", "--stack", "dev", "--root", root, "--key", "orders:bus", "--name", "orders-bus", "--format", "json"]);
    expect(named.code, named.err).toBe(0);
    const plan = JSON.parse(named.out) as { cluster: string; project: string; namePrefix: string };
    expect(plan).toMatchObject({ cluster: "orders-bus", project: "orders", namePrefix: "orders-bus-dev" });
    expect(named.err).not.toMatch(/note:/);

    const guessed = await runCli(["plan", "--stack", "dev", "--root", root, "--key", "orders:bus", "--format", "json"]);
    expect(guessed.code).toBe(0);
    expect(guessed.err).toMatch(/note: .*--name/);
  });
});
