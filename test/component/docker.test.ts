/**
 * The root program on the Docker target under Pulumi's mocks, with config loaded from the
 * stack files as `pulumi up` loads it: every resource's inputs checked against the plan of the
 * same config, resource options, outputs, what a plan change may and may not replace, and
 * where TLS secrets go.
 */
import { homedir } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { isConfigError } from "../../src/errors";
import { parseClusterSpec } from "../../src/config/schema";
import { loadRegistry, readClusterConfig } from "../../src/config/stack";
import { CONTAINER_PATHS, LABELS, METRICS_SOCKET_ENV } from "../../src/plan/layout";
import { listeningCheck } from "../../src/plan/health";
import { clientProfile, portRows, scRow, spuRows } from "../../src/plan/outputs";
import { planCluster } from "../../src/plan/plan";
import type { ClusterPlan } from "../../src/plan/types";
import { SpuCluster, checkedKeyValue, type SpuClusterArgs } from "../../src/component";
import { publishAddressIssues } from "../../src/config/hosts";
import { PROGRAM_CONFIG_KEYS, declareCluster } from "../../src/program";
import {
  HOST_GATEWAY,
  bridgeGatewayAddress,
  buildDockerSpecs,
  creationOrder,
  registrationProfile,
} from "../../src/targets/docker";
import { REGISTRATION_TLS_PATHS } from "../../src/targets/docker/registration";
import { MOCK_BRIDGE_GATEWAY, PROJECT_ROOT, runRefused, runUnderMocks, valueOf, type MockRun, type RecordedResource } from "../support/pulumi";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const GET_NETWORK = "docker:index/getNetwork:getNetwork";
const GATEWAY = MOCK_BRIDGE_GATEWAY;
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";


const NO_PREFLIGHT = { "fluvio-spu:preflight": "false" };

async function runDev(cluster?: unknown, extra: Record<string, string> = {}) {
  return runUnderMocks({
    stack: "dev",
    program: declareCluster,
    extraConfig: { ...NO_PREFLIGHT, ...(cluster !== undefined ? { "fluvio-spu:cluster": JSON.stringify(cluster) } : {}), ...extra },
  });
}

function planOf(cluster: unknown, stack = "dev"): ClusterPlan {
  return planCluster(parseClusterSpec(cluster), { stack, project: "fluvio-spu", registry: loadRegistry(PROJECT_ROOT) });
}

/**
 * Reads the TOML subset the profiles are written in (tables with bare or quoted key segments,
 * `key = <JSON string or boolean>` lines) into nested objects, as a TOML parser would.
 */
function parseToml(text: string): Record<string, any> {
  const root: Record<string, any> = {};
  let table = root;
  for (const line of text.split("\n").map((entry) => entry.trim()).filter((entry) => entry !== "" && !entry.startsWith("#"))) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      const segments = header[1]!.match(/"(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+/g) ?? [];
      table = segments.map((segment) => (segment.startsWith('"') ? (JSON.parse(segment) as string) : segment)).reduce((node, key) => (node[key] ??= {}), root);
      continue;
    }
    const pair = /^([A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!pair) throw new Error(`not TOML this reader knows: ${line}`);
    table[pair[1]!] = JSON.parse(pair[2]!);
  }
  return root;
}

function container(run: MockRun, name: string): RecordedResource {
  const found = run.byType(CONTAINER).find((resource) => resource.inputs.name === name);
  if (!found) throw new Error(`no container ${name}; have ${run.byType(CONTAINER).map((resource) => resource.inputs.name).join(", ")}`);
  return found;
}

function volume(run: MockRun, name: string): RecordedResource {
  const found = run.byType(VOLUME).find((resource) => resource.inputs.name === name);
  if (!found) throw new Error(`no volume ${name}`);
  return found;
}

function labelsOf(resource: RecordedResource): Record<string, string> {
  return Object.fromEntries((resource.inputs.labels ?? []).map((entry: { label: string; value: string }) => [entry.label, entry.value]));
}

function publishedPorts(resource: RecordedResource): string[] {
  return (resource.inputs.ports ?? []).map((port: any) => `${port.ip}:${port.external}->${port.internal}/${port.protocol}`).sort();
}

describe("the dev stack on Docker, as `pulumi up -s dev` declares it", () => {
  const devConfig = readClusterConfig(PROJECT_ROOT, "dev");
  const plan = planOf(devConfig);
  let run: Awaited<ReturnType<typeof runDev>>;

  beforeAll(async () => {
    run = await runDev();
  });

  it("creates one network, one metadata volume, a data and a socket volume per SPU, and SC + SPU + exporter + registration containers, all children of the component", () => {
    expect(run.byType(NETWORK).map((resource) => resource.inputs.name)).toEqual([plan.namePrefix]);
    expect(run.byType(VOLUME).map((resource) => resource.inputs.name).sort()).toEqual(
      [`${plan.sc.name}-metadata`, ...plan.spus.flatMap((spu) => [`${spu.host}-data`, `${spu.host}-metrics`])].sort(),
    );
    expect(run.byType(CONTAINER).map((resource) => resource.inputs.name).sort()).toEqual(
      [plan.sc.name, ...plan.spus.flatMap((spu) => [spu.host, `${spu.host}-exporter`, `${spu.host}-register`]), `${plan.namePrefix}-spu-sync`].sort(),
    );
    const component = run.byType("fluvio-spu:index:SpuCluster");
    expect(component).toHaveLength(1);
    for (const resource of [...run.byType(CONTAINER), ...run.byType(VOLUME), ...run.byType(NETWORK)]) {
      expect(resource.parent).toBe(component[0]?.urn);
      expect(resource.name.startsWith("fluvio-")).toBe(true);
    }
    expect(run.invokes.filter((invoke) => invoke.token === GET_NETWORK).map((invoke) => invoke.inputs.name)).toContain("bridge");
  });

  it("publishes public ports host = container = plan on 127.0.0.1 and the bridge gateway, metrics on loopback from the exporter, private ports not at all", () => {
    expect(publishedPorts(container(run, plan.sc.name))).toEqual(
      [`127.0.0.1:${plan.sc.ports.public}->${plan.sc.ports.public}/tcp`, `${GATEWAY}:${plan.sc.ports.public}->${plan.sc.ports.public}/tcp`].sort(),
    );
    for (const spu of plan.spus) {
      expect(publishedPorts(container(run, spu.host))).toEqual(
        [
          `127.0.0.1:${spu.ports.public}->${spu.ports.public}/tcp`,
          `${GATEWAY}:${spu.ports.public}->${spu.ports.public}/tcp`,
        ].sort(),
      );
      // The exporter binds the metrics port itself; the plan's metrics endpoint is on the host's loopback.
      expect(publishedPorts(container(run, `${spu.host}-exporter`))).toEqual([`127.0.0.1:${spu.ports.metrics}->${spu.ports.metrics}/tcp`]);
      expect(spu.metrics).toBe(`localhost:${spu.ports.metrics}`);
    }
    const published = new Set(run.byType(CONTAINER).flatMap((resource) => (resource.inputs.ports ?? []).map((port: any) => port.external)));
    expect([...published].sort((a, b) => a - b)).toEqual(plan.hostPorts);
    for (const spu of plan.spus) expect(published.has(spu.ports.private)).toBe(false);
  });

  it("runs the plan's commands, with the SPU's metrics socket in its env and every volume where the commands expect it", () => {
    expect(container(run, plan.sc.name).inputs.command).toEqual(plan.sc.command);
    expect(container(run, plan.sc.name).inputs.mounts).toEqual([
      { type: "volume", source: `${plan.sc.name}-metadata`, target: CONTAINER_PATHS.scMetadata, readOnly: false },
    ]);
    for (const spu of plan.spus) {
      const node = container(run, spu.host);
      expect(node.inputs.command).toEqual(spu.command);
      expect(node.inputs.envs).toEqual([`${METRICS_SOCKET_ENV}=${CONTAINER_PATHS.metricsSocket}`, "RUST_LOG=info"]);
      expect(node.inputs.mounts).toEqual([
        { type: "volume", source: `${spu.host}-data`, target: CONTAINER_PATHS.spuData, readOnly: false },
        { type: "volume", source: `${spu.host}-metrics`, target: CONTAINER_PATHS.metricsDir, readOnly: false },
      ]);
      const exporter = container(run, `${spu.host}-exporter`);
      expect(exporter.inputs.command).toEqual(spu.exporterCommand);
      // The socket volume is all it shares with its SPU, read-only.
      expect(exporter.inputs.mounts).toEqual([{ type: "volume", source: `${spu.host}-metrics`, target: CONTAINER_PATHS.metricsDir, readOnly: true }]);
    }
  });

  it("maps host.docker.internal to host-gateway on every container, and joins each to the cluster network with the plan's aliases", () => {
    for (const resource of run.byType(CONTAINER)) {
      expect(resource.inputs.hosts).toEqual([{ host: "host.docker.internal", ip: "host-gateway" }]);
      expect(resource.inputs.networkMode).toBe(plan.namePrefix);
    }
    expect(container(run, plan.sc.name).inputs.networksAdvanced).toEqual([{ name: plan.namePrefix, aliases: [plan.sc.host] }]);
    for (const spu of plan.spus) {
      expect(container(run, spu.host).inputs.networksAdvanced).toEqual([{ name: plan.namePrefix, aliases: [spu.host] }]);
      // The exporter is a container of its own on the cluster network, by the alias the plan names.
      const exporter = container(run, `${spu.host}-exporter`);
      expect(exporter.inputs.networksAdvanced).toEqual([{ name: plan.namePrefix, aliases: [`${plan.namePrefix}-spu-${spu.id}-exporter`] }]);
      expect(JSON.stringify(exporter.inputs)).not.toContain("container:");
      expect(exporter.dependencies).not.toContain(container(run, spu.host).urn);
    }
  });

  it("runs the exporter as root with every capability dropped, a read-only root filesystem and no-new-privileges, and leaves the other containers alone", () => {
    for (const spu of plan.spus) {
      expect(container(run, `${spu.host}-exporter`).inputs).toMatchObject({
        user: "0:0",
        capabilities: { drops: ["ALL"] },
        readOnly: true,
        securityOpts: ["no-new-privileges:true"],
      });
    }
    for (const resource of run.byType(CONTAINER).filter((resource) => !resource.inputs.name.endsWith("-exporter"))) {
      expect(resource.inputs.user, resource.inputs.name).toBeUndefined();
      expect(resource.inputs.capabilities, resource.inputs.name).toBeUndefined();
    }
  });

  it("labels every container with the cluster, the stack and the node, as preflight expects", () => {
    for (const resource of run.byType(CONTAINER)) {
      const labels = labelsOf(resource);
      expect(labels[LABELS.cluster]).toBe(plan.namePrefix);
      expect(labels[LABELS.stack]).toBe("dev");
      expect(labels[LABELS.node]).toMatch(/^(sc|spu-\d+|exporter-\d+|register-\d+|sync-registrations)$/);
    }
    expect(labelsOf(container(run, plan.spus[0]!.host))[LABELS.node]).toBe(`spu-${plan.spus[0]!.id}`);
  });

  it("health-checks the SC and SPUs by their public port listening (no connection, so no TLS handshake error logged) and the exporter on /healthz; Fluvio runs under Docker's init", () => {
    expect(container(run, plan.sc.name).inputs.healthcheck.tests).toEqual(["CMD", ...listeningCheck(plan.sc.ports.public)]);
    expect(container(run, plan.sc.name).inputs.init).toBe(true);
    expect(container(run, plan.sc.name).inputs.wait).toBe(true);
    for (const spu of plan.spus) {
      expect(container(run, spu.host).inputs.healthcheck.tests).toEqual(["CMD", ...listeningCheck(spu.ports.public)]);
      expect(container(run, spu.host).inputs.init).toBe(true);
      const probe = container(run, `${spu.host}-exporter`).inputs.healthcheck.tests as string[];
      expect(probe.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
      expect(probe[3]).toContain(`http://127.0.0.1:${spu.ports.metrics}/healthz`);
    }
  });

  it("registers every SPU with the plan's register argv (local endpoint included) through the CLI image, after the SC and its SPU", () => {
    for (const spu of plan.spus) {
      const job = container(run, `${spu.host}-register`);
      const command = job.inputs.command as string[];
      expect(command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
      expect(command.slice(4)).toEqual(spu.register);
      expect(command).toContain("--public-server-local");
      expect(command[command.indexOf("--public-server-local") + 1]).toBe(`host.docker.internal:${spu.ports.public}`);
      expect(command[2]).toContain('fluvio cluster spu unregister --id "$FLUVIO_SPU_ID"');
      expect(job.inputs.image).toBe(parseClusterSpec(devConfig).images.cli);
      expect(job.inputs.envs).toContain(`FLUVIO_SPU_ID=${spu.id}`);
      expect(job.inputs.envs).toContain(`FLUVIO_SPU_PROFILE=${registrationProfile(plan)}`);
      expect(registrationProfile(plan)).toContain(`endpoint = "${plan.sc.host}:${plan.sc.ports.public}"`);
      expect(job.inputs).toMatchObject({ mustRun: false, attach: true, logs: false, rm: false, restart: "no" });
      expect(job.dependencies).toEqual(expect.arrayContaining([container(run, plan.sc.name).urn, container(run, spu.host).urn]));
    }
  });

  it("sets deleteBeforeReplace on every container and retains the data volumes, not the socket volumes", () => {
    for (const resource of run.byType(CONTAINER)) expect(resource.options.deleteBeforeReplace).toBe(true);
    expect(volume(run, `${plan.sc.name}-metadata`).options.retainOnDelete).toBe(true);
    for (const spu of plan.spus) {
      expect(volume(run, `${spu.host}-data`).options.retainOnDelete).toBe(true);
      expect(volume(run, `${spu.host}-metrics`).options.retainOnDelete).toBe(false);
    }
  });

  it("exports the plan's rows, endpoints and both client profiles as stack outputs", async () => {
    const outputs = run.result;
    expect(await valueOf(outputs.spus)).toEqual(spuRows(plan));
    expect(await valueOf(outputs.sc)).toEqual(scRow(plan));
    expect(await valueOf(outputs.ports)).toEqual(portRows(plan));
    expect(await valueOf(outputs.clientProfile)).toEqual(clientProfile(plan, { inContainer: false }));
    const inContainer = await valueOf(outputs.containerClientProfile);
    expect(inContainer).toEqual(clientProfile(plan, { inContainer: true }));
    expect(inContainer).toContain("use_spu_local_address = true");
    expect(inContainer).toContain(`endpoint = "host.docker.internal:${plan.sc.ports.public}"`);
  });
});

describe("plan changes", () => {
  const base = { ...(readClusterConfig(PROJECT_ROOT, "dev") as Record<string, unknown>), spus: [{ id: 5001 }, { id: 5002 }] };
  const byName = (run: MockRun, type: string) => new Map(run.byType(type).map((resource) => [resource.inputs.name as string, resource]));

  it("never changes a volume's inputs when ports or images change, while the containers change", async () => {
    const before = await runDev(base);
    const movedPorts = await runDev({ ...base, spus: [{ id: 5001, publicPort: 9050, privatePort: 9150 }, { id: 5002 }], sc: { publicPort: 9060 } });
    const newImage = await runDev({ ...base, images: { fluvio: "infinyon/fluvio:0.18.2" } });
    for (const after of [movedPorts, newImage]) {
      const volumesBefore = byName(before, VOLUME);
      const volumesAfter = byName(after, VOLUME);
      expect([...volumesAfter.keys()].sort()).toEqual([...volumesBefore.keys()].sort());
      for (const [name, resource] of volumesAfter) {
        expect(resource.inputs).toEqual(volumesBefore.get(name)?.inputs);
        expect(resource.name).toBe(volumesBefore.get(name)?.name);
      }
    }
    expect(container(movedPorts, "fluvio-dev-spu-5001").inputs.command).toContain("0.0.0.0:9050");
    expect(container(before, "fluvio-dev-spu-5001").inputs.command).not.toContain("0.0.0.0:9050");
    expect(container(newImage, "fluvio-dev-spu-5001").inputs.image).toBe("infinyon/fluvio:0.18.2");
    expect(volume(newImage, "fluvio-dev-spu-5001-data").options.retainOnDelete).toBe(true);
  });

  it("leaves the exporters untouched when an SPU's image or ports change (they share only the socket volume)", async () => {
    const before = await runDev(base);
    const after = await runDev({ ...base, spus: [{ id: 5001, publicPort: 9050, privatePort: 9150 }, { id: 5002 }], images: { fluvio: "infinyon/fluvio:0.18.2" } });
    expect(container(after, "fluvio-dev-spu-5001").inputs).not.toEqual(container(before, "fluvio-dev-spu-5001").inputs);
    for (const exporter of ["fluvio-dev-spu-5001-exporter", "fluvio-dev-spu-5002-exporter"]) {
      expect(container(after, exporter).inputs).toEqual(container(before, exporter).inputs);
    }
  });

  it("re-registers the SPUs when only the local endpoint changes, without touching any other container", async () => {
    const before = await runDev(base);
    const after = await runDev({ ...base, localEndpoint: { host: "gateway.docker.internal" } });
    const containersBefore = byName(before, CONTAINER);
    const changed = [...byName(after, CONTAINER)].filter(([name, resource]) => JSON.stringify(resource.inputs) !== JSON.stringify(containersBefore.get(name)?.inputs)).map(([name]) => name);
    expect(changed.sort()).toEqual(["fluvio-dev-spu-5001-register", "fluvio-dev-spu-5002-register"]);
    const command = container(after, "fluvio-dev-spu-5001-register").inputs.command as string[];
    expect(command[command.indexOf("--public-server-local") + 1]).toBe(`gateway.docker.internal:${planOf(base).spus[0]!.ports.public}`);
  });
});

describe("a prod-like Docker config", () => {
  const prodLike = {
    target: "docker",
    environment: "prod",
    spus: [
      { id: 5001, rack: "rack-a" },
      { id: 5002, rack: "rack-b" },
    ],
    metrics: { enabled: true, publish: false },
    docker: { publishAddresses: ["127.0.0.1"], publishPrivate: true, deleteDataOnDestroy: true, network: "shared-net" },
  };

  it("publishes private ports when asked, keeps metrics on the network, joins the given network and lets data go on destroy", async () => {
    const run = await runUnderMocks({ stack: "prod", stackFile: false, program: declareCluster, extraConfig: { ...NO_PREFLIGHT, "fluvio-spu:cluster": JSON.stringify(prodLike) } });
    const plan = planOf(prodLike, "prod");
    expect(run.byType(NETWORK)).toHaveLength(0);
    expect(publishedPorts(container(run, plan.sc.name))).toEqual([`127.0.0.1:${plan.sc.ports.private}->${plan.sc.ports.private}/tcp`, `127.0.0.1:${plan.sc.ports.public}->${plan.sc.ports.public}/tcp`].sort());
    for (const spu of plan.spus) {
      expect(spu.ports.public).toBeGreaterThanOrEqual(10000);
      const node = container(run, spu.host);
      expect(publishedPorts(node)).toEqual([`127.0.0.1:${spu.ports.private}->${spu.ports.private}/tcp`, `127.0.0.1:${spu.ports.public}->${spu.ports.public}/tcp`].sort());
      expect(node.inputs.networksAdvanced).toEqual([{ name: "shared-net", aliases: [spu.host] }]);
      // Unpublished metrics: the exporter answers at the plan's endpoint on the network only.
      const exporter = container(run, `${spu.host}-exporter`);
      expect(exporter.inputs.ports ?? []).toEqual([]);
      expect(spu.metrics).toBe(`fluvio-prod-spu-${spu.id}-exporter:${spu.ports.metrics}`);
      expect(exporter.inputs.networksAdvanced).toEqual([{ name: "shared-net", aliases: [spu.metrics!.split(":")[0]] }]);
      expect(volume(run, `${spu.host}-data`).options.retainOnDelete).toBe(false);
      const command = container(run, `${spu.host}-register`).inputs.command as string[];
      expect(command.slice(4)).toEqual(spu.register);
      expect(command[command.indexOf("--rack") + 1]).toBe(spu.rack);
    }
    expect(volume(run, `${plan.sc.name}-metadata`).options.retainOnDelete).toBe(false);
    // No host-gateway in the addresses: the bridge is never looked up.
    expect(JSON.stringify(run.byType(CONTAINER).map((resource) => resource.inputs.ports))).not.toContain(GATEWAY);
  });
});

describe("TLS material", () => {
  const cert = "-----BEGIN CERTIFICATE-----\nMIIB-test-server-cert-7f3a\n-----END CERTIFICATE-----";
  const key = "-----BEGIN PRIVATE KEY-----\nMIIE-test-server-key-91bc\n-----END PRIVATE KEY-----";
  const ca = "-----BEGIN CERTIFICATE-----\nMIIB-test-ca-cert-55d0\n-----END CERTIFICATE-----";
  const clientCert = "-----BEGIN CERTIFICATE-----\nMIIB-test-client-cert-c3e1\n-----END CERTIFICATE-----";
  const clientKey = "-----BEGIN PRIVATE KEY-----\nMIIE-test-client-key-0d9f\n-----END PRIVATE KEY-----";
  const secrets = [cert, key, ca, clientCert, clientKey];
  const tlsCluster = { target: "docker", environment: "dev", spus: 2, tls: { enabled: true, clientAuth: true } };
  const allSecrets = {
    [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsServerCert}`]: cert,
    [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsServerKey}`]: key,
    [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsCaCert}`]: ca,
    [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsClientCert}`]: clientCert,
    [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsClientKey}`]: clientKey,
  };
  /**
   * The error a run fails with. The component registered itself before its constructor threw:
   * wait for that registration to land before the next run resets the mocks.
   */
  const failureOf = async (run: Promise<unknown>): Promise<Error | undefined> => {
    const error = await run.then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    return error;
  };
  const uploadedFiles = (resource: RecordedResource): string[] => resource.inputs.uploads.value.map((upload: any) => upload.file).sort();

  it("is uploaded into the SC, SPU and registration containers as secret inputs only, and appears in no output", async () => {
    const run = await runDev(tlsCluster, allSecrets);
    const plan = planOf(tlsCluster);
    for (const node of [plan.sc.name, ...plan.spus.map((spu) => spu.host)]) {
      const resource = container(run, node);
      // The whole upload list reaches the engine as one secret.
      expect(resource.inputs.uploads["4dabf18193072939515e22adb298388d"]).toBe(SECRET_SIG);
      expect(uploadedFiles(resource)).toEqual([CONTAINER_PATHS.tlsCaCert, CONTAINER_PATHS.tlsServerCert, CONTAINER_PATHS.tlsServerKey].sort());
      expect(resource.inputs.command).toEqual(expect.arrayContaining(["--tls", "--server-cert", CONTAINER_PATHS.tlsServerCert, "--enable-client-cert"]));
      const raw = JSON.stringify(resource.rawInputs);
      expect(raw).toContain(SECRET_SIG);
    }
    // Registration jobs present the admin client certificate: the CA, client cert and key, as secret uploads.
    for (const spu of plan.spus) {
      const job = container(run, `${spu.host}-register`);
      expect(job.inputs.uploads["4dabf18193072939515e22adb298388d"]).toBe(SECRET_SIG);
      expect(uploadedFiles(job)).toEqual([REGISTRATION_TLS_PATHS.caCert, REGISTRATION_TLS_PATHS.clientCert, REGISTRATION_TLS_PATHS.clientKey].sort());
      const contents = job.inputs.uploads.value.map((upload: any) => [upload.file, upload.content, upload.permissions]);
      expect(contents).toEqual(
        expect.arrayContaining([
          [REGISTRATION_TLS_PATHS.clientCert, clientCert, "0444"],
          [REGISTRATION_TLS_PATHS.clientKey, clientKey, "0400"],
          [REGISTRATION_TLS_PATHS.caCert, ca, "0444"],
        ]),
      );
      expect(job.inputs.envs).toContain(`FLUVIO_SPU_PROFILE=${registrationProfile(plan)}`);
    }
    // Secrets appear in the raw inputs only inside secret wrappers.
    for (const { name, rawInputs: raw } of run.resources) {
      const withoutSecrets = JSON.stringify(raw, (_key, value) => (value && typeof value === "object" && Object.values(value).includes(SECRET_SIG) ? "<secret>" : value));
      for (const secret of secrets) expect(withoutSecrets, name).not.toContain(secret.split("\n")[1]);
    }
    // No output carries them; the profiles say TLS.
    const outputs = await Promise.all(Object.values(run.result).map((output) => valueOf(output as any)));
    const text = JSON.stringify(outputs);
    for (const secret of secrets) expect(text).not.toContain(secret.split("\n")[1]);
    // With TLS the profiles are verified (never anonymous), naming the files where clients keep them.
    const home = `${homedir().replace(/\/+$/, "")}/.fluvio/tls`;
    const hostProfile = await valueOf(run.result.clientProfile);
    expect(hostProfile).toContain(`tls_policy = "verified"`);
    expect(hostProfile).toContain(`cert = "${home}/client.crt"`);
    expect(await valueOf(run.result.containerClientProfile)).toContain(`cert = "${CONTAINER_PATHS.tlsDir}/client.crt"`);
    for (const profile of [hostProfile, await valueOf(run.result.containerClientProfile)]) expect(profile).not.toContain("anonymous");
  });

  it("gives the registration jobs a verified profile with the file paths and the SC's alias as domain, in Fluvio's TlsPolicy shape", () => {
    const plan = planOf(tlsCluster);
    const profile = parseToml(registrationProfile(plan)) as any;
    const cluster = profile.cluster[`${plan.namePrefix}-registration`];
    expect(cluster.endpoint).toBe(`${plan.sc.host}:${plan.sc.ports.public}`);
    // TlsPolicy::Verified(TlsConfig::Files(TlsPaths)): tag tls_policy, adjacent tag tls_source with content in certs.
    expect(cluster.tls).toEqual({
      tls_policy: "verified",
      tls_source: "files",
      certs: { domain: plan.sc.host, key: REGISTRATION_TLS_PATHS.clientKey, cert: REGISTRATION_TLS_PATHS.clientCert, ca_cert: REGISTRATION_TLS_PATHS.caCert },
    });
    expect(registrationProfile(planOf({ ...tlsCluster, tls: { enabled: false } }))).toContain(`tls_policy = "disabled"`);
  });

  it("without client authentication, registers over verified TLS too (never anonymous), with the CA and admin client files", async () => {
    const serverOnly = { ...tlsCluster, tls: { enabled: true, clientAuth: false } };
    const run = await runDev(serverOnly, allSecrets);
    const plan = planOf(serverOnly);
    expect(container(run, plan.sc.name).inputs.command).not.toContain("--enable-client-cert");
    for (const spu of plan.spus) {
      const job = container(run, `${spu.host}-register`);
      expect(uploadedFiles(job)).toEqual([REGISTRATION_TLS_PATHS.caCert, REGISTRATION_TLS_PATHS.clientCert, REGISTRATION_TLS_PATHS.clientKey].sort());
      expect(job.inputs.envs).toContain(`FLUVIO_SPU_PROFILE=${registrationProfile(plan)}`);
      expect(registrationProfile(plan)).toContain(`tls_policy = "verified"`);
      expect(registrationProfile(plan)).not.toContain("anonymous");
    }
  });

  it("without client authentication but without the CA or client files is a ConfigError under tls.enabled saying why", async () => {
    const serverOnly = { ...tlsCluster, tls: { enabled: true, clientAuth: false } };
    const thrown = await failureOf(runDev(serverOnly, { "fluvio-spu:tlsServerCert": cert, "fluvio-spu:tlsServerKey": key }));
    expect(isConfigError(thrown)).toBe(true);
    const message = thrown?.message ?? "";
    expect(message).toMatch(/tls\.enabled: is true, and the SPU registration jobs reach the SC with a verified TLS profile/);
    for (const name of ["fluvio-spu:tlsCaCert", "fluvio-spu:tlsClientCert", "fluvio-spu:tlsClientKey"]) expect(message).toContain(name);
  });

  it("without the certificate secrets is a ConfigError naming the config keys", async () => {
    const error = await failureOf(runDev(tlsCluster));
    expect(isConfigError(error)).toBe(true);
    expect(error?.message).toMatch(/fluvio-spu:tlsServerCert/);
  });

  it("with client authentication but no client certificate or key is a ConfigError naming the secrets and the component args, before anything is created", async () => {
    const { [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsClientCert}`]: _cert, [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsClientKey}`]: _key, ...serverSecrets } = allSecrets;
    const thrown = await failureOf(runDev(tlsCluster, serverSecrets));
    expect(isConfigError(thrown)).toBe(true);
    const message = thrown?.message ?? "";
    for (const name of ["tls.clientAuth", "fluvio-spu:tlsClientCert", "fluvio-spu:tlsClientKey", "tlsCertificates.clientCert", "tlsCertificates.clientKey", "registration"]) expect(message).toContain(name);
    // Only the key missing: the message names only the key.
    const { [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsClientKey}`]: _k, ...withoutKey } = allSecrets;
    const keyOnly = await failureOf(runDev(tlsCluster, withoutKey));
    expect(isConfigError(keyOnly)).toBe(true);
    expect(keyOnly?.message).toContain("fluvio-spu:tlsClientKey");
    expect(keyOnly?.message).not.toContain("fluvio-spu:tlsClientCert");
  });

  it("with client authentication through SpuCluster args, names tlsCertificates.clientCert and clientKey", async () => {
    const thrown = await failureOf(
      runUnderMocks({
        stack: "dev",
        stackFile: false,
        program: () => new SpuCluster("fluvio", { ...(tlsCluster as object), preflight: false, tlsCertificates: { serverCert: cert, serverKey: key, caCert: ca } } as SpuClusterArgs),
      }),
    );
    expect(isConfigError(thrown)).toBe(true);
    expect(thrown?.message).toContain("tlsCertificates.clientCert and tlsCertificates.clientKey");
  });
});

describe("TLS keys must be PKCS#8 (Fluvio 0.18.1 loads no other kind)", () => {
  const cert = "-----BEGIN CERTIFICATE-----\nMIIB-test-server-cert\n-----END CERTIFICATE-----";
  const rsaKey = "-----BEGIN RSA PRIVATE KEY-----\nMIIE-test-pkcs1-key\n-----END RSA PRIVATE KEY-----";
  const ecKey = "-----BEGIN EC PRIVATE KEY-----\nMHc-test-sec1-key\n-----END EC PRIVATE KEY-----";
  const cluster = { target: "docker", environment: "dev", spus: 1, tls: { enabled: true } };

  it("a plain-string key through SpuCluster args is a ConfigError at once, naming the arg and the conversion, before any container", async () => {
    const { run, thrown } = await runRefused(
      { stack: "dev", stackFile: false },
      () => new SpuCluster("fluvio", { ...(cluster as object), preflight: false, tlsCertificates: { serverCert: cert, serverKey: rsaKey } } as SpuClusterArgs),
    );
    expect(isConfigError(thrown)).toBe(true);
    const message = (thrown as Error).message;
    expect(message).toContain("tlsCertificates.serverKey (config fluvio-spu:tlsServerKey): is a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY)");
    expect(message).toContain("openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem");
    expect(run.byType(CONTAINER)).toEqual([]);
  });

  it("a key from a config secret (an output) fails the deployment when it resolves: no SC or SPU container gets it", async () => {
    const rejections: unknown[] = [];
    const record = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", record);
    try {
      const run = await runUnderMocks({
        stack: "dev",
        stackFile: false,
        program: declareCluster,
        extraConfig: {
          ...NO_PREFLIGHT,
          "fluvio-spu:cluster": JSON.stringify(cluster),
          [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsServerCert}`]: cert,
          [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsServerKey}`]: ecKey,
          [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsCaCert}`]: cert,
          [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsClientCert}`]: cert,
          [`fluvio-spu:${PROGRAM_CONFIG_KEYS.tlsClientKey}`]: "-----BEGIN PRIVATE KEY-----\nMIIE-test-client-key\n-----END PRIVATE KEY-----",
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const plan = planOf(cluster);
      const names = run.byType(CONTAINER).map((resource) => resource.name);
      for (const node of [plan.sc.name, ...plan.spus.map((spu) => spu.host)]) expect(names).not.toContain(node);
      expect(rejections.length).toBeGreaterThan(0);
      for (const reason of rejections) {
        expect(isConfigError(reason)).toBe(true);
        expect((reason as Error).message).toContain("fluvio-spu:tlsServerKey): is a SEC1 EC key (BEGIN EC PRIVATE KEY)");
        // Pulumi prints its RunErrors without a stack trace.
        expect((reason as { __pulumiRunError?: boolean }).__pulumiRunError).toBe(true);
      }
    } finally {
      process.off("unhandledRejection", record);
    }
  });

  it("checkedKeyValue passes a PKCS#8 key through unchanged", () => {
    const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";
    expect(checkedKeyValue("tlsCertificates.clientKey", key)).toBe(key);
    expect(() => checkedKeyValue("tlsCertificates.clientKey", rsaKey)).toThrow(/tlsCertificates\.clientKey: is a PKCS#1 RSA key/);
  });
});

describe("the plain Docker spec", () => {
  const plan = planOf({ target: "docker", environment: "dev", spus: 2 });
  const spec = parseClusterSpec({ target: "docker", environment: "dev", spus: 2 });

  it("holds no Pulumi values and orders containers by their dependencies", () => {
    const plain = buildDockerSpecs(plan);
    expect(JSON.parse(JSON.stringify(plain))).toEqual(plain);
    const order = creationOrder(plain).map((container) => container.key);
    expect(order[0]).toBe("sc");
    for (const spu of plan.spus) {
      expect(order.indexOf(`spu-${spu.id}`)).toBeLessThan(order.indexOf(`register-${spu.id}`));
      expect(order).toContain(`exporter-${spu.id}`);
    }
    expect(plain.containers.find((container) => container.key === "sc")?.ports.map((port) => port.ip)).toEqual(["127.0.0.1", HOST_GATEWAY]);
  });

  it("rejects publish addresses that cannot work, as ConfigErrors naming docker.publishAddresses", () => {
    expect(publishAddressIssues(["127.0.0.1", "host-gateway"])).toEqual([]);
    expect(publishAddressIssues(["127.0.0.1", "::1"])[0]?.message).toMatch(/mixes IPv4 and IPv6/);
    expect(publishAddressIssues(["0.0.0.0", "127.0.0.1"])[0]?.message).toMatch(/every address/);
    expect(publishAddressIssues(["localhost"])[0]?.path).toBe("docker.publishAddresses[0]");
    expect(() => parseClusterSpec({ target: "docker", environment: "dev", spus: 1, docker: { publishAddresses: ["0.0.0.0", "::"] } })).toThrow(/docker\.publishAddresses/);
  });

  it("finds the bridge gateway, from IPAM or from the subnet when the engine leaves it out", () => {
    expect(bridgeGatewayAddress([{ subnet: "172.17.0.0/16", gateway: "172.17.0.1" }])).toBe("172.17.0.1");
    expect(bridgeGatewayAddress([{ subnet: "172.17.0.0/16" }])).toBe("172.17.0.1");
    expect(bridgeGatewayAddress([{ subnet: "fd00::/64" }, { subnet: "10.200.0.0/24" }])).toBe("10.200.0.1");
    expect(bridgeGatewayAddress([{ subnet: "fd00::/64" }])).toBeUndefined();
  });

  it("leaves exporters and their socket volumes out when metrics are off", () => {
    const noMetrics = parseClusterSpec({ target: "docker", environment: "dev", spus: 2, metrics: { enabled: false } });
    const plain = buildDockerSpecs(planOf(noMetrics));
    expect(plain.containers.map((container) => container.role)).toEqual(["sc", "spu", "spu"]);
    expect(plain.volumes.map((volume) => volume.holds)).toEqual(["sc-metadata", "spu-data", "spu-data"]);
    expect(plain.containers[1]?.env).toEqual({ RUST_LOG: "info" });
  });
});
