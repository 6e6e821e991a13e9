import { describe, expect, it } from "vitest";
import { parseClusterSpec, planCluster } from "../../src";
import { loadClusterSpec, readClusterConfig } from "../../src/config/stack";
import { parseRegistry } from "../../src/ports/registry";
import { PROJECT_ROOT } from "../support/pulumi";
import { configErrorOf, issueAt } from "../support/errors";

describe("config: presets and defaults", () => {
  it("dev takes the 9000 series and prod the 10000 series", () => {
    expect(parseClusterSpec({ environment: "dev", spus: 1 }).ports).toMatchObject({
      public: { from: 9000, to: 9100 },
      private: { from: 9101, to: 9200 },
      metrics: { from: 9201, to: 9300 },
    });
    expect(parseClusterSpec({ environment: "prod", spus: 1 }).ports).toMatchObject({
      public: { from: 10000, to: 10100 },
      private: { from: 10101, to: 10200 },
      metrics: { from: 10201, to: 10300 },
    });
  });

  it("explicit ranges override the preset, one role at a time, in either notation", () => {
    const spec = parseClusterSpec({ environment: "dev", spus: 1, ports: { public: "9400-9450", metrics: { from: 9500, to: 9510 } } });
    expect(spec.ports.public).toEqual({ from: 9400, to: 9450 });
    expect(spec.ports.private).toEqual({ from: 9101, to: 9200 });
    expect(spec.ports.metrics).toEqual({ from: 9500, to: 9510 });
  });

  it("a count expands to ids from firstSpuId (5001 by default, as Fluvio numbers them)", () => {
    expect(parseClusterSpec({ environment: "dev", spus: 3 }).spus.map((spu) => spu.id)).toEqual([5001, 5002, 5003]);
    expect(parseClusterSpec({ environment: "dev", spus: 2, firstSpuId: 7 }).spus.map((spu) => spu.id)).toEqual([7, 8]);
  });

  it("parsing is idempotent: a parsed spec parses to itself", () => {
    const spec = parseClusterSpec({ environment: "prod", spus: [{ id: 9, rack: "r1", publicPort: 10050 }], reserved: ["10060-10062", 10070] });
    expect(parseClusterSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it("the stack files in stacks/ load as pulumi up would hand them over", () => {
    expect(loadClusterSpec(PROJECT_ROOT, "dev")).toMatchObject({ target: "docker", environment: "dev", spus: [{ id: 5001 }, { id: 5002 }, { id: 5003 }] });
    expect(loadClusterSpec(PROJECT_ROOT, "prod")).toMatchObject({ target: "kubernetes", environment: "prod" });
    expect(readClusterConfig(PROJECT_ROOT, "dev")).toMatchObject({ spus: 3 });
  });
});

describe("config: bad input gets a ConfigError naming the field, the values and the fix", () => {
  it("overlapping ranges", () => {
    const error = configErrorOf(() => parseClusterSpec({ spus: 1, ports: { public: "9000-9100", private: "9050-9150", metrics: "9200-9300" } }));
    const message = issueAt(error, "ports.private");
    expect(message).toContain("9050-9150");
    expect(message).toContain("ports.public 9000-9100");
    expect(message).toContain("9050-9100");
    expect(message).toMatch(/move one range/);
  });

  it("a range too small for the SPUs says how many ports are needed and how many are free", () => {
    const error = configErrorOf(() =>
      planCluster({ spus: 5, ports: { public: "20000-20004", private: "20100-20199", metrics: "20200-20299" }, reserved: [20001, 20002] }, { stack: "dev" }),
    );
    const message = issueAt(error, "ports.public");
    expect(message).toContain("6 public ports needed");
    expect(message).toContain("only 3 of its 5 ports are free");
    expect(message).toContain("widen it to 20000-20007");
  });

  it("a pin outside its range", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: [{ id: 1, publicPort: 9500 }] }));
    expect(issueAt(error, "spus[0].publicPort")).toMatch(/9500 is outside ports.public 9000-9100: pin a port inside the range, or widen/);
  });

  it("a pin on a reserved port", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: [{ id: 1, publicPort: 9050 }], reserved: ["9050-9052"] }));
    expect(issueAt(error, "spus[0].publicPort")).toMatch(/9050 is reserved \(reserved: 9050-9052\)/);
  });

  it("a pin on a port another service claims in the registry", () => {
    const registry = parseRegistry("claims:\n  - { owner: team-x gateway, ports: 9040-9049, hosts: [localhost] }\n");
    const error = configErrorOf(() => planCluster({ environment: "dev", spus: [{ id: 1, publicPort: 9045 }] }, { stack: "dev", registry }));
    expect(issueAt(error, "spus[0].publicPort")).toMatch(/9045 is held by team-x gateway \(a claim in the port registry for localhost\)/);
  });

  it("duplicate SPU ids name both entries", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: [{ id: 5001 }, { id: 5002 }, { id: 5001 }] }));
    expect(issueAt(error, "spus[2].id")).toMatch(/5001 is also the id of spus\[0\]/);
  });

  it("ports below 1024 need an explicit opt-in", () => {
    const ports = { public: "500-600", private: "9101-9200", metrics: "9201-9300" };
    const error = configErrorOf(() => parseClusterSpec({ spus: 1, ports }));
    expect(issueAt(error, "ports.public")).toMatch(/below 1024.*allowPrivilegedPorts: true/);
    expect(parseClusterSpec({ spus: 1, ports, allowPrivilegedPorts: true }).ports.public).toEqual({ from: 500, to: 600 });
  });

  it("an unknown environment", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "staging", spus: 1 }));
    expect(issueAt(error, "environment")).toMatch(/"dev", "prod"/);
  });

  it("a malformed host in localEndpoint", () => {
    for (const host of ["host.docker.internal:9010", "http://example.com", "bad host", "a..b", "-x.example"]) {
      const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, localEndpoint: { host } }));
      expect(issueAt(error, "localEndpoint.host")).toContain(`'${host}'`);
    }
  });

  it("an IPv6 literal, bracketed or not, in publicHost or a local endpoint host (Fluvio splits host:port on ':' into two parts)", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["publicHost", { publicHost: "::1" }, "::1"],
      ["publicHost", { publicHost: "[2001:db8::1]" }, "[2001:db8::1]"],
      ["localEndpoint.host", { localEndpoint: { host: "fd00::2" } }, "fd00::2"],
      ["localEndpoint.host", { localEndpoint: { host: "[::ffff:127.0.0.1]" } }, "[::ffff:127.0.0.1]"],
      ["spus[1].localEndpoint.host", { spus: [{ id: 5001 }, { id: 5002, localEndpoint: { host: "[fe80::1]" } }] }, "[fe80::1]"],
      ["localEndpoint.host", { target: "kubernetes", localEndpoint: { host: "::" } }, "::"],
    ];
    for (const [path, raw, value] of cases) {
      const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, ...raw }));
      expect(error.issues).toHaveLength(1);
      const message = issueAt(error, path);
      expect(message).toContain(`'${value}' is an IPv6 literal`);
      expect(message).toMatch(/use a DNS name/);
      expect(message).not.toContain("\n");
    }
    // IPv4 literals and DNS names stay fine.
    expect(parseClusterSpec({ environment: "dev", spus: 1, publicHost: "192.0.2.7", localEndpoint: { host: "gateway.internal" } }).publicHost).toBe("192.0.2.7");
  });

  it("an unknown stack file lists the stacks that exist", () => {
    const error = configErrorOf(() => loadClusterSpec(PROJECT_ROOT, "staging"));
    expect(issueAt(error, "stack")).toMatch(/no stack file for 'staging'.*known stacks are dev, prod/);
  });

  it("a misspelt field is named instead of ignored", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, strategey: "stack-hash" }));
    expect(issueAt(error, "")).toContain("'strategey'");
  });

  it("no range and no environment says how to give one", () => {
    const error = configErrorOf(() => parseClusterSpec({ spus: 1 }));
    expect(issueAt(error, "ports.public")).toMatch(/set environment \(dev or prod\)/);
  });

  it("a range that runs backwards", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, ports: { public: { from: 9100, to: 9000 } } }));
    expect(issueAt(error, "ports.public")).toMatch(/runs backwards.*from: 9000, to: 9100/);
  });

  it("a local endpoint whose encryption differs from the public one (Kubernetes, where we write the Spu resources)", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", target: "kubernetes", spus: 1, localEndpoint: { encryption: "SSL" } }));
    expect(issueAt(error, "localEndpoint.encryption")).toMatch(/SSL differs from the public endpoint's PLAINTEXT/);
  });

  it("an SSL local endpoint on Docker, where fluvio cluster spu register always stores PLAINTEXT", () => {
    for (const tls of [{ enabled: false }, { enabled: true }]) {
      const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 1, tls, localEndpoint: { encryption: "SSL" } }));
      expect(issueAt(error, "localEndpoint.encryption")).toMatch(/SSL cannot be registered on the Docker target: .*always stores PLAINTEXT.*drop encryption/);
    }
    const spec = parseClusterSpec({ environment: "dev", spus: 1, tls: { enabled: true }, localEndpoint: { encryption: "PLAINTEXT" } });
    expect(spec.localEndpoint).toMatchObject({ encryption: "PLAINTEXT" });
  });

  it("one local port for many SPUs", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: 2, localEndpoint: { port: 9050 } }));
    expect(issueAt(error, "localEndpoint.port")).toMatch(/each SPU needs its own/);
  });

  it("every problem is reported at once, and the message never carries a stack trace", () => {
    const error = configErrorOf(() => parseClusterSpec({ environment: "dev", spus: [{ id: 1, publicPort: 1 }, { id: 1 }], localEndpoint: { host: "a b" } }));
    expect(error.issues.length).toBeGreaterThanOrEqual(3);
    expect(error.message).not.toMatch(/\n\s+at /);
    for (const issue of error.issues) expect(error.message).toContain(issue.path);
  });
});
