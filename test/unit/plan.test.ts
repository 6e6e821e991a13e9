import { describe, expect, it } from "vitest";
import { ConfigError, parseClusterSpec, planCluster } from "../../src";
import { clientProfile, clientTlsSettings } from "../../src/plan/outputs";
import { configErrorOf, issueAt } from "../support/errors";

describe("planCluster: endpoints, commands and registrations", () => {
  it("Docker: public endpoints on publicHost, private ones on the node's network alias, local ones on host.docker.internal", () => {
    const plan = planCluster({ environment: "dev", spus: 2 }, { stack: "dev" });
    const [first] = plan.spus;
    expect(first!.public).toBe(`localhost:${first!.ports.public}`);
    expect(first!.private).toBe(`fluvio-dev-spu-5001:${first!.ports.private}`);
    expect(first!.local).toBe(`host.docker.internal:${first!.ports.public}`);
    expect(first!.command).toEqual(expect.arrayContaining(["--sc-addr", plan.sc.private]));
    expect(first!.register).toEqual(expect.arrayContaining(["--public-server-local", first!.local]));
  });

  it("localEndpoint: false registers no local endpoint; a per-SPU policy overrides the cluster's", () => {
    const plan = planCluster({ environment: "dev", localEndpoint: false, spus: [{ id: 1 }, { id: 2, localEndpoint: { host: "gateway.local", port: 9999 } }] }, { stack: "dev" });
    expect(plan.spus[0]!.local).toBeNull();
    expect(plan.spus[0]!.register).not.toContain("--public-server-local");
    expect(plan.spus[1]!.local).toBe("gateway.local:9999");
  });

  it("Kubernetes NodePort: public and local endpoints use the NodePort, private endpoints the internal Service DNS name", () => {
    const plan = planCluster({ target: "kubernetes", environment: "prod", spus: 1 }, { stack: "prod" });
    const [spu] = plan.spus;
    expect(spu!.public).toBe(`localhost:${spu!.ports.nodePort}`);
    expect(spu!.local).toBe(`host.docker.internal:${spu!.ports.nodePort}`);
    expect(spu!.private).toBe(`fluvio-prod-spu-${spu!.id}-internal.fluvio.svc.cluster.local:${spu!.ports.private}`);
    expect(plan.sc.command).toEqual(expect.arrayContaining(["--k8", "-n", "fluvio"]));
  });

  it("Kubernetes: a host.docker.internal local endpoint cannot ride a ClusterIP Service", () => {
    expect(() => planCluster({ target: "kubernetes", environment: "prod", spus: 1, kubernetes: { serviceType: "ClusterIP" } }, { stack: "prod" })).toThrow(ConfigError);
    const inCluster = planCluster({ target: "kubernetes", environment: "prod", spus: 1, kubernetes: { serviceType: "ClusterIP" }, localEndpoint: { inCluster: true } }, { stack: "prod" });
    expect(inCluster.spus[0]!.local).toBe(`fluvio-prod-spu-5001.fluvio.svc.cluster.local:${inCluster.spus[0]!.ports.public}`);
  });

  it("TLS on Docker: the ports serve SSL, yet the registered SPU endpoints say PLAINTEXT (spu register has no encryption flag)", () => {
    const plan = planCluster({ environment: "dev", spus: 2, tls: { enabled: true, clientAuth: true } }, { stack: "dev" });
    expect(plan.encryption).toBe("SSL");
    expect(plan.sc.endpoints.public.encryption).toBe("SSL");
    for (const spu of plan.spus) {
      expect(spu.endpoints.public.encryption).toBe("PLAINTEXT");
      expect(spu.endpoints.local?.encryption).toBe("PLAINTEXT");
      expect(spu.register.join(" ")).not.toMatch(/SSL|encryption/i);
    }
  });

  it("TLS on Kubernetes: the Spu resources we write say SSL; the plaintext listener behind Fluvio's TLS proxy stays on loopback on a port the node does not use", () => {
    const plan = planCluster({ environment: "dev", target: "kubernetes", spus: 2, tls: { enabled: true, clientAuth: true } }, { stack: "dev" });
    expect(plan.encryption).toBe("SSL");
    for (const spu of plan.spus) {
      expect(spu.endpoints.public.encryption).toBe("SSL");
      expect(spu.endpoints.local?.encryption).toBe("SSL");
      const loopback = spu.command[spu.command.indexOf("--bind-non-tls-public") + 1]!;
      expect(loopback).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(Object.values(spu.ports)).not.toContain(Number(loopback.split(":")[1]));
      expect(spu.command).toEqual(expect.arrayContaining(["--tls", "--enable-client-cert", "--ca-cert"]));
    }
  });

  it("client profiles: the host one uses public endpoints, the container one the local endpoints", () => {
    const plan = planCluster({ environment: "dev", spus: 1 }, { stack: "dev" });
    const host = clientProfile(plan, { inContainer: false });
    const container = clientProfile(plan, { inContainer: true });
    expect(host).toContain(`endpoint = "${plan.sc.public}"`);
    expect(host).toContain("use_spu_local_address = false");
    expect(container).toContain(`endpoint = "host.docker.internal:${plan.sc.ports.public}"`);
    expect(container).toContain("use_spu_local_address = true");
    expect(container).toContain(`tls_policy = "disabled"`);
  });

  it("with TLS, with or without clientAuth, both client profiles use Fluvio's verified policy: files in a certs table, paths only", () => {
    for (const clientAuth of [true, false]) {
      const raw = { environment: "dev", spus: 1, tls: { enabled: true, clientAuth } };
      const spec = parseClusterSpec(raw);
      const plan = planCluster(spec, { stack: "dev" });
      const tls = clientTlsSettings(spec, "/home/ada/");
      expect(tls).toEqual({ domain: "localhost", hostDir: "/home/ada/.fluvio/tls", containerDir: "/etc/fluvio/tls" });
      const host = clientProfile(plan, { inContainer: false, tls: tls! });
      expect(host).toContain(`[cluster.fluvio-dev.tls]\ntls_policy = "verified"\ntls_source = "files"`);
      expect(host).toContain(
        `[cluster.fluvio-dev.tls.certs]\ndomain = "localhost"\nkey = "/home/ada/.fluvio/tls/client.key"\ncert = "/home/ada/.fluvio/tls/client.crt"\nca_cert = "/home/ada/.fluvio/tls/ca.crt"`,
      );
      const container = clientProfile(plan, { inContainer: true, tls: tls! });
      expect(container).toContain(`domain = "localhost"\nkey = "/etc/fluvio/tls/client.key"\ncert = "/etc/fluvio/tls/client.crt"\nca_cert = "/etc/fluvio/tls/ca.crt"`);
      for (const profile of [host, container]) expect(profile).not.toMatch(/anonymous|~/);
      // A TLS profile without its settings is a programming error, never an anonymous profile.
      expect(() => clientProfile(plan, { inContainer: false })).toThrow(/needs tls settings/);
    }
  });

  it("tls.domain, tls.clientDir and tls.containerClientDir override the defaults; no TLS, no settings", () => {
    const spec = parseClusterSpec({
      environment: "dev",
      spus: 1,
      tls: { enabled: true, clientAuth: true, domain: "fluvio.example", clientDir: "/srv/certs/", containerClientDir: "/certs" },
    });
    expect(clientTlsSettings(spec, "/root")).toEqual({ domain: "fluvio.example", hostDir: "/srv/certs/", containerDir: "/certs" });
    const profile = clientProfile(planCluster(spec, { stack: "dev" }), { inContainer: true, tls: clientTlsSettings(spec, "/root")! });
    expect(profile).toContain(`domain = "fluvio.example"\nkey = "/certs/client.key"\ncert = "/certs/client.crt"\nca_cert = "/certs/ca.crt"`);
    expect(clientTlsSettings(parseClusterSpec({ environment: "dev", spus: 1 }), "/root")).toBeUndefined();
    expect(clientTlsSettings(parseClusterSpec({ environment: "dev", spus: 1, publicHost: "fluvio.lan", tls: { enabled: true } }), "/root")?.domain).toBe("fluvio.lan");
  });

  it("client TLS settings a user can get wrong are ConfigErrors naming the field and the fix", () => {
    const error = configErrorOf(() =>
      parseClusterSpec({ environment: "dev", spus: 1, tls: { enabled: true, domain: "::1", clientDir: "~/.fluvio/tls", containerClientDir: "certs" } }),
    );
    expect(issueAt(error, "tls.domain")).toMatch(/IPv6 literal/);
    expect(issueAt(error, "tls.clientDir")).toMatch(/'~\/.fluvio\/tls' is not an absolute path: Fluvio reads profile paths as written \(no ~ expansion/);
    expect(issueAt(error, "tls.containerClientDir")).toMatch(/'certs' is not an absolute path/);
  });

  it("a missing stack name is a ConfigError", () => {
    expect(() => planCluster({ environment: "dev", spus: 1 }, { stack: "" })).toThrow(/stack: is missing/);
  });
});
