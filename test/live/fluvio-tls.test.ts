/**
 * Verified TLS end to end on real Fluvio 0.18.1 (issue 20): a two-SPU Docker cluster with
 * `tls.enabled` and `tls.clientAuth`, applied from the very spec `buildDockerSpecs` declares, with
 * throwaway certificates (a CA, a server certificate naming the domain, the SC's alias and each
 * `<spu name>.<domain>`, and a client certificate, keys in PKCS#8 as rustls wants them). The real
 * `fluvio` CLI uses the profiles the plan writes, from the host and from another container, the
 * way an operator of a TLS cluster would first try it. Ports 23300-23599 belong to this file;
 * every object is named fluvio-spu-tlsreal-*.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStackFiles } from "../../src/context";
import { clientProfile, clientTlsSettings, type ClientTlsSettings } from "../../src/plan/outputs";
import type { ClusterPlan } from "../../src/plan/types";
import { bridgeGatewayAddress, buildDockerSpecs } from "../../src/targets/docker";
import { docker, skipLiveTier } from "../support/docker";
import { makeProject } from "../support/project";
import { applyCluster, bridgeIpam, createNetwork, removeEverything, runToCompletion, type AppliedCluster } from "./support/engine";
import { FLUVIO_CLI, consumeUntil, realFluvioImages, type FluvioImages } from "./support/fluvio";

const NAME = "fluvio-spu-tlsreal";
const FILE = "test/live/fluvio-tls.test.ts";
const images: FluvioImages | undefined = skipLiveTier(FILE) ? undefined : realFluvioImages(FILE);
const RANGES = { public: "23300-23349", private: "23400-23449", metrics: "23500-23549" };
const DOMAIN = "fluvio-spu-tlsreal.test";

interface Material {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA, a server certificate for `serverNames` and a client certificate, both signed by it; PKCS#8 keys. */
function throwawayMaterial(serverNames: string[]): Material {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-tlsreal-ca-"));
  const openssl = (args: string[]) => {
    const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${run.stderr}`);
  };
  const signed = (name: string, subject: string, extensions: string) => {
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", `${name}.key`]);
    openssl(["req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${subject}`]);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`]);
  };
  try {
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=fluvio-spu-tlsreal-ca"]);
    signed("server", serverNames[0] as string, `subjectAltName=${serverNames.map((name) => `DNS:${name}`).join(",")}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    signed("client", "fluvio-spu-tlsreal-client", "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    return { caCert: read("ca.crt"), serverCert: read("server.crt"), serverKey: read("server.key"), clientCert: read("client.crt"), clientKey: read("client.key") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!images)("verified TLS with client certificates on real Fluvio 0.18.1 (Docker target)", () => {
  const fluvioImages = images as FluvioImages;
  const root = makeProject({ live: { name: NAME, target: "docker", ports: RANGES, spus: 2 } });
  const scratch = mkdtempSync(join(tmpdir(), "fluvio-spu-tlsreal-"));
  const clientDir = join(scratch, "tls");
  let plan: ClusterPlan;
  let applied: AppliedCluster;
  let material: Material;
  let hostProfile: string;
  let tls: ClientTlsSettings;

  const fluvio = (args: string[], profile: string, input?: string) => {
    const run = spawnSync(FLUVIO_CLI, args, { encoding: "utf8", input, timeout: 30_000, env: { ...process.env, FLV_PROFILE_PATH: profile } });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };

  /** Retries `probe` (which throws until it holds) for up to `timeoutMs`. */
  const eventually = async <T>(probe: () => T, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return probe();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  };

  beforeAll(async () => {
    await removeEverything(NAME);
    writeFileSync(
      join(root, "stacks", "Pulumi.live.yaml"),
      [
        "config:",
        "  fluvio-spu:cluster:",
        `    name: ${NAME}`,
        "    target: docker",
        `    ports: { public: "${RANGES.public}", private: "${RANGES.private}", metrics: "${RANGES.metrics}" }`,
        "    spus: 2",
        "    metrics: { enabled: false }",
        `    tls: { enabled: true, clientAuth: true, domain: ${DOMAIN}, clientDir: ${clientDir} }`,
        `    images: { fluvio: "${fluvioImages.fluvio}", cli: "${fluvioImages.cli}" }`,
        "",
      ].join("\n"),
    );
    const stacked = planStackFiles(root, "live");
    plan = stacked.plan;
    tls = clientTlsSettings(stacked.spec, scratch) as ClientTlsSettings;
    material = throwawayMaterial([DOMAIN, plan.sc.host, ...plan.spus.map((spu) => `${spu.name}.${DOMAIN}`)]);
    mkdirSync(clientDir, { recursive: true });
    writeFileSync(join(clientDir, "ca.crt"), material.caCert);
    writeFileSync(join(clientDir, "client.crt"), material.clientCert);
    writeFileSync(join(clientDir, "client.key"), material.clientKey, { mode: 0o600 });
    hostProfile = join(scratch, "host.toml");
    writeFileSync(hostProfile, clientProfile(plan, { inContainer: false, tls }));
    const hostGateway = bridgeGatewayAddress(await bridgeIpam()) as string;
    applied = await applyCluster(buildDockerSpecs(plan), { images: { ...fluvioImages, exporter: fluvioImages.cli }, hostGateway, secrets: material });
  }, 240_000);

  afterAll(async () => {
    await removeEverything(NAME);
    rmSync(scratch, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it("the registration jobs register every SPU over verified TLS, and the host's fluvio lists them Online through the plan's profile", async () => {
    for (const job of applied.jobs) expect(job.exitCode, `${job.name}: ${job.logs}`).toBe(0);
    const profile = readFileSync(hostProfile, "utf8");
    expect(profile).toContain('tls_policy = "verified"');
    expect(profile).toContain(`domain = "${DOMAIN}"`);
    const listed = await eventually(() => {
      const run = fluvio(["cluster", "spu", "list", "-O", "json"], hostProfile);
      if (run.code !== 0) throw new Error(`fluvio cluster spu list: ${run.err}`);
      const spus = JSON.parse(run.out) as { spec: { spuId: number }; status: { resolution: string } }[];
      if (spus.length !== plan.spus.length || spus.some((spu) => spu.status.resolution !== "Online")) throw new Error(`not all Online: ${run.out}`);
      return spus;
    });
    expect(listed.map((spu) => spu.spec.spuId).sort()).toEqual(plan.spus.map((spu) => spu.id).sort());
  });

  it("produces and consumes from the host, each SPU connection verified against <spu name>.<domain>", async () => {
    // Right after every SPU is listed Online the SC may not place both replicas yet: retried, as an operator would.
    await eventually(() => {
      const created = fluvio(["topic", "create", "tls-topic", "--replication", "2"], hostProfile);
      if (created.code !== 0 && !/already exists/i.test(created.err)) throw new Error(`fluvio topic create: ${created.err.trim()}`);
    });
    await eventually(() => {
      const run = fluvio(["produce", "tls-topic"], hostProfile, "sealed-one\nsealed-two\n");
      if (run.code !== 0) throw new Error(`produce: ${run.err}`);
    });
    // A consumer reads up to what every replica has: right after the produce it may read fewer records.
    const records = await eventually(() => {
      const consumed = fluvio(["consume", "tls-topic", "-B", "-d"], hostProfile);
      const read = consumed.out.split("\n").filter(Boolean);
      if (consumed.code !== 0 || read.length < 2) throw new Error(`read ${read.length} of 2 records so far: ${consumed.err.trim()}`);
      return read;
    });
    expect(records).toEqual(["sealed-one", "sealed-two"]);
  });

  it("produces and consumes from another container with containerClientProfile, its certificates where the profile says", async () => {
    const network = `${NAME}-app`;
    await createNetwork(network);
    const profile = clientProfile(plan, { inContainer: true, tls });
    expect(profile).toContain('ca_cert = "/etc/fluvio/tls/ca.crt"');
    const script = [
      "mkdir -p /etc/fluvio/tls",
      'printf "%s" "$2" > /etc/fluvio/tls/ca.crt',
      'printf "%s" "$3" > /etc/fluvio/tls/client.crt',
      'printf "%s" "$4" > /etc/fluvio/tls/client.key',
      'printf "%s\\n" "$1" > /tmp/profile.toml',
      "export FLV_PROFILE_PATH=/tmp/profile.toml",
      'printf "from-a-container\\n" | fluvio produce tls-topic',
      consumeUntil("tls-topic", 3),
    ].join(" && ");
    const run = await runToCompletion({
      name: `${NAME}-app-client`,
      image: fluvioImages.cli,
      command: ["/bin/sh", "-c", script, "sh", profile, material.caCert, material.clientCert, material.clientKey],
      network,
      hosts: ["host.docker.internal:host-gateway"],
    });
    expect(run.exitCode, run.logs).toBe(0);
    expect(run.logs.trim().split("\n")).toEqual(["sealed-one", "sealed-two", "from-a-container"]);
  });

  it("a client without a certificate, or in plaintext, is refused: the SC demands the CA's client certificate", () => {
    const bare = join(scratch, "no-cert.toml");
    writeFileSync(bare, readFileSync(hostProfile, "utf8").replaceAll(`${clientDir}/client.`, `${clientDir}/missing.`));
    const withoutCert = fluvio(["topic", "list"], bare);
    expect(withoutCert.code).not.toBe(0);
    const plain = join(scratch, "plain.toml");
    writeFileSync(plain, readFileSync(hostProfile, "utf8").replace(/tls_policy = "verified"[\s\S]*$/, 'tls_policy = "disabled"\n'));
    expect(readFileSync(plain, "utf8")).not.toMatch(/verified|ca_cert/);
    const plaintext = fluvio(["topic", "list"], plain);
    expect(plaintext.code).not.toBe(0);
  });

  it("the health checks leave the SC's and SPUs' logs free of TLS handshake errors (a bare TCP probe of a TLS port leaves one per probe)", async () => {
    // Only what is logged from now on: the clients of the tests above leave their own lines.
    const since = new Date();
    const names = [plan.sc.name, ...plan.spus.map((spu) => spu.host)];
    await eventually(() => {
      for (const name of names) {
        const starts = JSON.parse(docker(["inspect", name, "--format", "{{json .State.Health.Log}}"])) as { Start: string }[];
        const fresh = starts.filter((probe) => new Date(probe.Start) > since).length;
        if (fresh < 2) throw new Error(`${name} has run ${fresh} health probes since ${since.toISOString()}`);
      }
    }, 90_000);
    for (const name of names) {
      const logs = spawnSync("docker", ["logs", "--since", since.toISOString(), name], { encoding: "utf8" });
      expect(`${logs.stdout}${logs.stderr}`, name).not.toMatch(/error handshaking|handshake eof/);
      expect(docker(["inspect", name, "--format", "{{.State.Health.Status}}"])).toBe("healthy");
    }
  });
});
