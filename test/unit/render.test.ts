/**
 * `fluvio-ports render`: the Kubernetes YAML is, object for object, what the Pulumi target
 * creates under mocks, and valid against the Kubernetes schemas and the `Spu` CRD; the Compose
 * file is the Docker target's plain spec in Compose's words, publishing exactly the planned
 * host ports with host port = container port. (The Compose file on a real engine: test/live/render.test.ts.)
 */
import { PROVIDER_ANNOTATIONS } from "../../src/targets/kubernetes";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { main } from "../../src/cli";
import { parseClusterSpec, type ClusterSpec } from "../../src/config/schema";
import { loadRegistry, readClusterConfig } from "../../src/config/stack";
import { planCluster } from "../../src/plan/plan";
import { clientProfile } from "../../src/plan/outputs";
import type { ClusterPlan } from "../../src/plan/types";
import { declareCluster } from "../../src/program";
import { planContext } from "../../src/context";
import { composeFile, planImages, renderCompose, renderKubernetes, renderStack, HOST_GATEWAY_VARIABLE, type ComposeFile } from "../../src/render";
import { buildDockerSpecs } from "../../src/targets/docker/spec";
import { buildKubernetesObjects } from "../../src/targets/kubernetes/build";
import type { ClusterObject, CustomResourceDefinition as Crd } from "../../src/targets/kubernetes/model";
import { isBuiltInKind, spuValidator, validateBuiltIn } from "../support/kubernetes-schemas";
import { MOCK_BRIDGE_GATEWAY, PROJECT_ROOT, runUnderMocks } from "../support/pulumi";

type Raw = Record<string, unknown>;
type Document = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [field: string]: unknown };

const outDirs: string[] = [];
function freshOutDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-render-"));
  outDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** A stack's config with overrides, planned as `fluvio-ports render` plans it. */
function stackVariant(stack: "dev" | "prod", overrides: Raw = {}): { spec: ClusterSpec; plan: ClusterPlan } {
  const spec = parseClusterSpec({ ...(readClusterConfig(PROJECT_ROOT, stack) as Raw), ...overrides });
  return { spec, plan: planCluster(spec, planContext({ stack, registry: loadRegistry(PROJECT_ROOT), target: spec.target })) };
}

/** The documents of a multi-document YAML text, as kubectl reads them (YAML 1.1), empty ones dropped. */
function documentsOf(text: string): Document[] {
  return parseAllDocuments(text, { version: "1.1" })
    .map((document) => {
      expect(document.errors).toEqual([]);
      return document.toJS() as Document | null;
    })
    .filter((document): document is Document => document !== null);
}

/** The Pulumi type token of a Kubernetes object (`kubernetes:<group>/<version>:<Kind>`, core group `core`). */
function typeToken(document: Pick<Document, "apiVersion" | "kind">): string {
  const [group, version] = document.apiVersion.includes("/") ? document.apiVersion.split("/") : ["core", document.apiVersion];
  return `kubernetes:${group}/${version}:${document.kind}`;
}


/** An object's inputs without the annotations only the Pulumi provider reads (an annotations map left empty goes too). */
function withoutProviderAnnotations(inputs: Record<string, any>): Record<string, any> {
  const given = (inputs.metadata?.annotations ?? {}) as Record<string, string>;
  const annotations = Object.fromEntries(Object.entries(given).filter(([key]) => !(key in PROVIDER_ANNOTATIONS)));
  const { annotations: _dropped, ...metadata } = inputs.metadata as Record<string, unknown>;
  return { ...inputs, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
}

describe("render: the prod stack as Kubernetes YAML", async () => {
  const out = freshOutDir();
  const rendered = renderStack(PROJECT_ROOT, "prod", out);
  const text = readFileSync(rendered.manifest, "utf8");
  const documents = documentsOf(text);
  const run = await runUnderMocks({ stack: "prod", program: () => declareCluster() });
  const created = run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));

  it("writes kubernetes.yaml and plan.json, the plan being what `fluvio-ports plan --format json` prints", async () => {
    expect(rendered.paths).toEqual([join(out, "kubernetes.yaml"), join(out, "plan.json"), join(out, "client-profile.toml"), join(out, "container-client-profile.toml")]);
    let printed = "";
    expect(await main(["plan", "--stack", "prod", "--format", "json", "--root", PROJECT_ROOT], { out: (chunk) => (printed += chunk), err: () => {} })).toBe(0);
    expect(readFileSync(rendered.plan, "utf8")).toBe(printed);
  });

  it("holds one document per object the Pulumi target creates under mocks, with equal contents", () => {
    const key = (kind: string, name: string, namespace?: string) => `${kind} ${namespace ?? ""}/${name}`;
    expect(documents.map((document) => key(document.kind, document.metadata.name, document.metadata.namespace)).sort()).toEqual(
      created.map((resource) => key(resource.inputs.kind, resource.inputs.metadata.name, resource.inputs.metadata.namespace)).sort(),
    );
    for (const resource of created) {
      const document = documents.find((candidate) => candidate.kind === resource.inputs.kind && candidate.metadata.name === resource.inputs.metadata.name);
      expect(typeToken(document!), resource.name).toBe(resource.type);
      // Under mocks the recorded inputs are what the provider would receive: the object itself,
      // and only the provider's own annotations (PROVIDER_ANNOTATIONS, which kubectl has no use for) besides.
      expect(document, `${resource.type} ${resource.name}`).toEqual(withoutProviderAnnotations(resource.inputs));
    }
  });

  it("orders the Namespace first and the CRDs next, and renders the same text twice", () => {
    const kinds = documents.map((document) => document.kind);
    expect(kinds[0]).toBe("Namespace");
    const crds = kinds.map((kind, index) => (kind === "CustomResourceDefinition" ? index : -1)).filter((index) => index >= 0);
    expect(crds.length).toBeGreaterThan(0);
    expect(crds).toEqual(crds.map((_, position) => position + 1));
    const { spec, plan } = stackVariant("prod");
    expect(renderKubernetes(plan, spec)).toBe(text);
    expect(text.match(/^---$/gm)).toHaveLength(documents.length);
  });

  it("validates every built-in document against the Kubernetes OpenAPI schemas", () => {
    for (const document of documents.filter((candidate) => candidate.kind !== "Spu")) {
      expect(isBuiltInKind(document.kind), `a schema for ${document.kind}`).toBe(true);
      expect(() => validateBuiltIn(document), `${document.kind} ${document.metadata.name}`).not.toThrow();
    }
  });

  it("validates every Spu document against the Spu CRD in the same file", () => {
    const crd = documents.find((document) => document.kind === "CustomResourceDefinition" && (document as unknown as Crd).spec.names.kind === "Spu") as unknown as Crd;
    const { validate, version } = spuValidator(crd);
    const spus = documents.filter((document) => document.kind === "Spu");
    expect(spus).toHaveLength(5);
    for (const spu of spus) {
      expect(spu.apiVersion).toBe(`${crd.spec.group}/${version}`);
      expect(validate(spu), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});

describe("render: TLS on Kubernetes", () => {
  const { spec, plan } = stackVariant("prod", { tls: { enabled: true, clientAuth: true } });
  const text = renderKubernetes(plan, spec);

  it("leaves the TLS Secret out (its data are secrets) and says in the header how to create it", () => {
    const built = buildKubernetesObjects(plan, spec);
    const secret = built.find((object) => object.kind === "Secret")!;
    expect(secret).toBeDefined();
    expect(documentsOf(text)).toEqual(built.filter((object): object is Exclude<ClusterObject, { kind: "Secret" }> => object.kind !== "Secret"));
    const header = text.slice(0, text.indexOf("\n---\n"));
    expect(header).toContain(`kubectl -n ${plan.namespace} create secret generic ${secret.metadata.name} --from-file=server.crt=<path to server.crt> --from-file=server.key=<path to server.key> --from-file=ca.crt=<path to ca.crt>`);
    expect(text).not.toMatch(/BEGIN|stringData/);
  });
});

describe("render: a namespace another team owns (kubernetes.createNamespace: false)", () => {
  it("leaves the Namespace out, as the Pulumi target does", async () => {
    const overrides = { kubernetes: { namespace: "fluvio", serviceType: "NodePort", storageSize: "20Gi", createNamespace: false } };
    const { spec, plan } = stackVariant("prod", overrides);
    const documents = documentsOf(renderKubernetes(plan, spec));
    expect(documents.map((document) => document.kind)).not.toContain("Namespace");
    expect(documents[0]!.kind).toBe("CustomResourceDefinition");
    const cluster = { ...(readClusterConfig(PROJECT_ROOT, "prod") as Raw), ...overrides };
    const run = await runUnderMocks({ stack: "prod", stackFile: false, extraConfig: { "fluvio-spu:cluster": JSON.stringify(cluster) }, program: () => declareCluster() });
    const created = run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
    expect(created.map((resource) => `${resource.inputs.kind} ${resource.inputs.metadata.name}`).sort()).toEqual(documents.map((document) => `${document.kind} ${document.metadata.name}`).sort());
  });
});

/** Every `IP:published:target/tcp` entry of a Compose file, by service. */
function publishedPorts(file: ComposeFile): { service: string; ip: string; published: number; target: number }[] {
  return Object.entries(file.services).flatMap(([service, definition]) =>
    (definition.ports ?? []).map((entry) => {
      const match = /^(.+):(\d+):(\d+)\/tcp$/.exec(entry);
      expect(match, entry).not.toBeNull();
      return { service, ip: match![1]!, published: Number(match![2]), target: Number(match![3]) };
    }),
  );
}

const unescape = (value: string) => value.replaceAll("$$", "$");

describe("render: the dev stack as a Compose file", () => {
  const out = freshOutDir();
  const rendered = renderStack(PROJECT_ROOT, "dev", out);
  const text = readFileSync(rendered.manifest, "utf8");
  const file = parseYaml(text, { version: "1.1" }) as ComposeFile;
  const { spec, plan } = stackVariant("dev");
  const docker = buildDockerSpecs(plan);

  it("writes docker-compose.yaml and plan.json", () => {
    expect(rendered.paths).toEqual([join(out, "docker-compose.yaml"), join(out, "plan.json"), join(out, "client-profile.toml"), join(out, "container-client-profile.toml")]);
    expect(JSON.parse(readFileSync(rendered.plan, "utf8"))).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(renderCompose(plan)).toBe(text);
  });

  it("publishes every planned host port from exactly one service, once per publish address, host port = container port", () => {
    const entries = publishedPorts(file);
    for (const entry of entries) expect(entry.published, `${entry.service} ${entry.ip}`).toBe(entry.target);
    expect([...new Set(entries.map((entry) => entry.published))].sort((a, b) => a - b)).toEqual(plan.hostPorts);
    for (const port of plan.hostPorts) {
      const publishing = entries.filter((entry) => entry.published === port);
      expect(new Set(publishing.map((entry) => entry.service)).size, `port ${port}`).toBe(1);
      expect(new Set(publishing.map((entry) => entry.ip)).size, `port ${port}`).toBe(publishing.length);
    }
    const publicPorts = [plan.sc.ports.public, ...plan.spus.map((spu) => spu.ports.public)];
    for (const port of publicPorts) {
      expect(entries.filter((entry) => entry.published === port).map((entry) => entry.ip)).toEqual(["127.0.0.1", "${FLUVIO_SPU_HOST_GATEWAY:-172.17.0.1}"]);
    }
    for (const spu of plan.spus) expect(entries.filter((entry) => entry.published === spu.ports.metrics).map((entry) => entry.ip)).toEqual(["127.0.0.1"]);
  });

  it("is the Docker target's plain spec: one service per container and registration job, same argv, env, mounts and names", () => {
    const containers = [...docker.containers, ...docker.registrations];
    expect(Object.keys(file.services).sort()).toEqual(containers.map((container) => container.key).sort());
    for (const container of containers) {
      const service = file.services[container.key]!;
      expect(service.container_name).toBe(container.name);
      expect(service.image).toBe(spec.images[container.image as keyof typeof spec.images]);
      expect(service.command.map(unescape)).toEqual(container.command);
      expect(Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, unescape(value)]))).toEqual(container.env);
      expect(service.labels).toEqual(container.labels);
      expect(service.restart).toBe(container.restart);
      expect((service.volumes ?? []).map((mount) => file.volumes[mount.source]!.name)).toEqual(container.mounts.map((mount) => mount.volume));
      expect(service.extra_hosts).toEqual(["host.docker.internal:host-gateway"]);
      expect(Object.keys(service.networks)).toEqual([docker.network.name]);
      expect(service.networks[docker.network.name]!.aliases ?? []).toEqual(container.networks[0]!.aliases);
      expect(service).not.toHaveProperty("network_mode");
      if (container.security) {
        expect(service).toMatchObject({ user: container.security.user, cap_drop: container.security.dropCapabilities, read_only: container.security.readOnlyRootFilesystem, security_opt: ["no-new-privileges:true"] });
      } else {
        expect(service.user).toBeUndefined();
      }
      expect(service.healthcheck?.test.map(unescape)).toEqual(container.healthcheck?.test);
    }
    expect(Object.values(file.volumes).map((volume) => volume.name).sort()).toEqual(docker.volumes.map((volume) => volume.name).sort());
    expect(file.networks).toEqual({ [docker.network.name]: { name: docker.network.name, labels: docker.network.labels } });
  });

  it("gives each exporter a service of its own on the cluster network: its alias, the metrics port on loopback, the socket volume read-only, root without capabilities", () => {
    for (const spu of plan.spus) {
      const service = file.services[`exporter-${spu.id}`]!;
      expect(service.networks).toEqual({ [docker.network.name]: { aliases: [`${plan.namePrefix}-spu-${spu.id}-exporter`] } });
      expect(service.ports).toEqual([`127.0.0.1:${spu.ports.metrics}:${spu.ports.metrics}/tcp`]);
      expect(file.services[`spu-${spu.id}`]!.ports?.join(" ")).not.toContain(`:${spu.ports.metrics}:`);
      expect(service.volumes).toEqual([{ type: "volume", source: `spu-${spu.id}-metrics`, target: "/var/run/fluvio-metrics", read_only: true }]);
      expect(service).toMatchObject({ user: "0:0", cap_drop: ["ALL"], read_only: true, security_opt: ["no-new-privileges:true"] });
      expect(service.depends_on).toBeUndefined();
    }
  });

  it("runs each registration once (restart \"no\", a string even for YAML 1.1), after the SC is healthy and its SPU started", () => {
    expect(text).toMatch(/restart: "no"/);
    const registrations = docker.registrations.filter((job) => job.role === "registration");
    expect(registrations).toHaveLength(plan.spus.length);
    for (const registration of registrations) {
      const service = file.services[registration.key]!;
      expect(service.restart).toBe("no");
      expect(service.depends_on).toEqual({ sc: { condition: "service_healthy" }, [`spu-${registration.key.replace("register-", "")}`]: { condition: "service_started" } });
    }
  });

  it("then unregisters the SPUs the plan no longer has, once every registration exited 0", () => {
    const sync = file.services["sync-registrations"]!;
    expect(sync).toMatchObject({ restart: "no", image: plan.images.cli, init: true });
    expect(sync.environment?.FLUVIO_SPU_PLANNED_IDS).toBe(plan.spus.map((spu) => spu.id).join(" "));
    expect(sync.depends_on).toEqual({
      sc: { condition: "service_healthy" },
      ...Object.fromEntries(plan.spus.map((spu) => [`register-${spu.id}`, { condition: "service_completed_successfully" }])),
    });
  });

  it("runs the SC and SPUs under Docker's init (fluvio-run ignores SIGTERM as PID 1), with RUST_LOG from logLevel", () => {
    for (const key of ["sc", ...plan.spus.map((spu) => spu.key)]) {
      expect(file.services[key]).toMatchObject({ init: true, environment: expect.objectContaining({ RUST_LOG: "info" }) });
    }
  });

  it("writes the host and container client profiles beside the Compose file, each with installation docker", () => {
    const host = readFileSync(join(out, "client-profile.toml"), "utf8");
    const inContainer = readFileSync(join(out, "container-client-profile.toml"), "utf8");
    expect(host).toContain(clientProfile(plan, { inContainer: false }));
    expect(inContainer).toContain(clientProfile(plan, { inContainer: true }));
    for (const profile of [host, inContainer]) expect(profile).toMatch(/\[cluster\.[^\]]+\.metadata\]\ninstallation = "docker"/);
    expect(inContainer).toContain("use_spu_local_address = true");
  });

  it("escapes every $ of the containers' argv and env, so Compose hands the registration script over unchanged", () => {
    const script = file.services[docker.registrations[0]!.key]!.command[2]!;
    expect(script).toContain('"$$FLUVIO_SPU_PROFILE"');
    expect(script.replaceAll("$$", "")).not.toContain("$");
  });
});


describe("render: the Compose file against the Pulumi Docker target under mocks (dev stack)", async () => {
  const run = await runUnderMocks({ stack: "dev", extraConfig: { "fluvio-spu:preflight": "false" }, program: () => declareCluster() });
  const file = parseYaml(renderCompose(stackVariant("dev").plan), { version: "1.1" }) as ComposeFile;
  const services = Object.values(file.services);

  it("has one service per container the target creates, with the same image, argv, env, ports, hosts, labels and restart policy", () => {
    const containers = run.byType("docker:index/container:Container");
    expect(services.map((service) => service.container_name).sort()).toEqual(containers.map((container) => container.inputs.name).sort());
    const withGateway = (entry: string) => entry.replace(`\${${HOST_GATEWAY_VARIABLE}:-172.17.0.1}`, MOCK_BRIDGE_GATEWAY);
    for (const container of containers) {
      const service = services.find((candidate) => candidate.container_name === container.inputs.name)!;
      const inputs = container.inputs;
      expect(service.image, inputs.name).toBe(inputs.image);
      expect(service.command.map(unescape)).toEqual(inputs.command);
      expect(Object.entries(service.environment ?? {}).map(([key, value]) => `${key}=${unescape(value)}`).sort()).toEqual([...(inputs.envs ?? [])].sort());
      expect((service.ports ?? []).map(withGateway)).toEqual(
        (inputs.ports ?? []).map((port: { ip: string; external: number; internal: number; protocol: string }) => `${port.ip}:${port.external}:${port.internal}/${port.protocol}`),
      );
      expect(service.extra_hosts ?? []).toEqual((inputs.hosts ?? []).map((entry: { host: string; ip: string }) => `${entry.host}:${entry.ip}`));
      expect(Object.entries(service.labels)).toEqual((inputs.labels ?? []).map((entry: { label: string; value: string }) => [entry.label, entry.value]));
      expect(service.restart).toBe(inputs.restart);
      expect(service.healthcheck?.test.map(unescape)).toEqual(inputs.healthcheck?.tests);
      expect(service.user).toBe(inputs.user);
      expect(service.cap_drop).toEqual(inputs.capabilities?.drops);
      expect(service.read_only).toBe(inputs.readOnly);
      expect(service.security_opt).toEqual(inputs.securityOpts);
      expect((service.volumes ?? []).map((mount) => mount.read_only)).toEqual((inputs.mounts ?? []).map((mount: { readOnly: boolean }) => mount.readOnly));
    }
  });

  it("has one volume per volume the target creates, by the same name", () => {
    expect(Object.values(file.volumes).map((volume) => volume.name).sort()).toEqual(run.byType("docker:index/volume:Volume").map((volume) => volume.inputs.name).sort());
  });
});

describe("render: Compose variants", () => {
  it("renders TLS files as Compose secrets read from ./tls, never their content", () => {
    const { spec, plan } = stackVariant("dev", { tls: { enabled: true, clientAuth: true } });
    const text = renderCompose(plan);
    const file = parseYaml(text, { version: "1.1" }) as ComposeFile;
    expect(file.secrets).toEqual({
      "tls-server-cert": { file: "./tls/server.crt" },
      "tls-server-key": { file: "./tls/server.key" },
      "tls-ca-cert": { file: "./tls/ca.crt" },
      "tls-client-cert": { file: "./tls/client.crt" },
      "tls-client-key": { file: "./tls/client.key" },
    });
    expect(file.services.sc!.secrets).toEqual([
      { source: "tls-server-cert", target: "/etc/fluvio/tls/server.crt" },
      { source: "tls-server-key", target: "/etc/fluvio/tls/server.key" },
      { source: "tls-ca-cert", target: "/etc/fluvio/tls/ca.crt" },
    ]);
    // The registration jobs present the admin client certificate, with a verified profile pointing at these files.
    for (const spu of plan.spus) {
      const job = file.services[`register-${spu.id}`]!;
      expect(job.secrets).toEqual([
        { source: "tls-ca-cert", target: "/etc/fluvio/tls/ca.crt" },
        { source: "tls-client-cert", target: "/etc/fluvio/tls/client.crt" },
        { source: "tls-client-key", target: "/etc/fluvio/tls/client.key" },
      ]);
      const profile = unescape(job.environment!.FLUVIO_SPU_PROFILE!);
      expect(profile).toContain(`tls_policy = "verified"`);
      expect(profile).toContain(`cert = "/etc/fluvio/tls/client.crt"`);
    }
    for (const path of ["./tls/server.key", "./tls/client.crt", "./tls/client.key"]) expect(text).toContain(`#   ${path}`);
    expect(text).toContain(`verify the SC's certificate for the name ${plan.sc.host}`);
    expect(text).not.toMatch(/BEGIN/);
  });

  it("renders TLS without client authentication: no CA in the SC, yet verified registration jobs with the CA and client files", () => {
    const { spec, plan } = stackVariant("dev", { tls: { enabled: true, clientAuth: false } });
    const file = parseYaml(renderCompose(plan), { version: "1.1" }) as ComposeFile;
    expect(Object.keys(file.secrets ?? {}).sort()).toEqual(["tls-ca-cert", "tls-client-cert", "tls-client-key", "tls-server-cert", "tls-server-key"]);
    expect(file.services.sc!.secrets!.map((secret) => secret.source)).toEqual(["tls-server-cert", "tls-server-key"]);
    for (const spu of plan.spus) {
      const job = file.services[`register-${spu.id}`]!;
      expect(job.secrets!.map((secret) => secret.source)).toEqual(["tls-ca-cert", "tls-client-cert", "tls-client-key"]);
      expect(unescape(job.environment!.FLUVIO_SPU_PROFILE!)).toContain(`tls_policy = "verified"`);
    }
  });

  it("joins an existing network as external, and publishes private ports only when asked", () => {
    const { spec, plan } = stackVariant("dev", { docker: { network: "apps", publishPrivate: true, publishAddresses: ["127.0.0.1"] } });
    const file = composeFile(buildDockerSpecs(plan), planImages(plan));
    expect(file.networks).toEqual({ apps: { name: "apps", external: true } });
    const ports = publishedPorts(file).map((entry) => entry.published);
    for (const spu of plan.spus) expect(ports).toContain(spu.ports.private);
    expect([...new Set(ports)].sort((a, b) => a - b)).toEqual(plan.hostPorts);
  });

  it("brackets IPv6 publish addresses", () => {
    const { spec, plan } = stackVariant("dev", { docker: { publishAddresses: ["::1"] } });
    const file = composeFile(buildDockerSpecs(plan), planImages(plan));
    expect(file.services.sc!.ports).toEqual([`[::1]:${plan.sc.ports.public}:${plan.sc.ports.public}/tcp`]);
  });
});

describe("fluvio-ports render", () => {
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(args, { out: (text) => (out += text), err: (text) => (err += text) });
    return { code, out, err };
  }

  it("writes the files and prints their paths", async () => {
    const out = freshOutDir();
    const { code, out: printed } = await cli(["render", "--stack", "dev", "--out", join(out, "dev"), "--root", PROJECT_ROOT]);
    expect(code).toBe(0);
    expect(printed).toBe(["docker-compose.yaml", "plan.json", "client-profile.toml", "container-client-profile.toml"].map((file) => `${join(out, "dev", file)}\n`).join(""));
  });

  it("exits 2 without --out, with --out on another command, for an unknown stack and for an unusable --out", async () => {
    const file = join(freshOutDir(), "a-file");
    await cli(["render", "--stack", "dev", "--out", file, "--root", PROJECT_ROOT]);
    const blocked = join(file, "docker-compose.yaml");
    const cases = [
      { args: ["render", "--stack", "dev"], says: /--out is required with render/ },
      { args: ["plan", "--stack", "dev", "--out", "x"], says: /--out goes with render/ },
      { args: ["render", "--stack", "nope", "--out", freshOutDir(), "--root", PROJECT_ROOT], says: /no stack file for 'nope'/ },
      { args: ["render", "--stack", "dev", "--out", blocked, "--root", PROJECT_ROOT], says: /--out: '.*' cannot hold the rendered files/ },
    ];
    for (const { args, says } of cases) {
      const { code, err } = await cli(args);
      expect(code, args.join(" ")).toBe(2);
      expect(err).toMatch(says);
    }
  });

  it("lists render in its usage", async () => {
    expect((await cli(["help"])).out).toContain("fluvio-ports render --stack <s> --out <dir>");
  });
});
