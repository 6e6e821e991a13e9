/**
 * Fluvio's own client reads the profiles we generate (issue #9). `@fluvio/client` (the npm
 * package, a native Node addon around Fluvio's Rust client) connects with no arguments by
 * reading `~/.fluvio/config`: each case writes our `clientProfile` / `containerClientProfile`
 * text there under a temp HOME, runs the client in a child process (the native client reads
 * HOME in-process, so each case gets its own process), and a listener on 127.0.0.1 standing in
 * for the SC records what dials it. Plain profiles must dial the SC endpoint they name; verified
 * TLS profiles must complete a TLS handshake in which the client presents its certificate and
 * checks the server's against `domain`; broken profiles must fail with a config error and dial
 * nothing. Needs `openssl` for throwaway certificates; no Go toolchain, no engine.
 *
 * The npm client is 0.14.9, built on Fluvio's openssl connector, not 0.18.1's rustls one: it
 * proves the profile's shape and paths, not rustls' own PKCS#8-only and anonymous behaviour.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { clientProfile, clientTlsSettings } from "../../src/plan/outputs";
import { planCluster } from "../../src/plan/plan";

/** Why the client cannot run here, or undefined. Under CI it must. */
function clientUnavailable(): string | undefined {
  const load = spawnSync(process.execPath, ["-e", "require('@fluvio/client')"], { encoding: "utf8" });
  const openssl = spawnSync("openssl", ["version"], { encoding: "utf8" });
  const reason = load.status !== 0 ? `@fluvio/client does not load (${load.stderr.trim().split("\n")[0]})` : openssl.status !== 0 ? "openssl is not installed" : undefined;
  if (reason === undefined) return undefined;
  if (process.env.CI === "true") throw new Error(`engine tier test/engine/fluvio-client.test.ts: ${reason}; CI must provide it`);
  console.warn(`\n*** SKIPPING test/engine/fluvio-client.test.ts: ${reason}. ***\n`);
  return reason;
}

const skip = clientUnavailable() !== undefined;

/** How long one client may try before its child gives up (a dial that hangs must not hang the test). */
const CLIENT_BOUND_MS = 8_000;

/** What the child reports: the outcome of `new Fluvio().connect()`. */
interface ClientOutcome {
  outcome: "connected" | "error" | "timeout";
  message?: string;
}

/** The child: connect with no arguments (reads ~/.fluvio/config), print the outcome as one JSON line, exit. */
const CHILD = `
const Fluvio = require("@fluvio/client").default;
const done = (result) => { process.stdout.write(JSON.stringify(result) + "\\n"); process.exit(0); };
setTimeout(() => done({ outcome: "timeout" }), ${CLIENT_BOUND_MS});
new Fluvio().connect().then(() => done({ outcome: "connected" }), (error) => done({ outcome: "error", message: String(error) }));
`;

/** Runs the client with HOME = `home` and resolves its outcome. */
function runClient(home: string): Promise<ClientOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", CHILD], { cwd: process.cwd(), env: { ...process.env, HOME: home, RUST_LOG: "off" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const killer = setTimeout(() => child.kill("SIGKILL"), CLIENT_BOUND_MS + 5_000);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(killer);
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as ClientOutcome);
      } catch {
        reject(new Error(`the client child printed no outcome: ${stdout} ${stderr}`));
      }
    });
  });
}

/** What dialled a stand-in SC. */
interface Dial {
  /** The first bytes the client sent (plain listener). */
  firstBytes?: Buffer;
  /** TLS listener: the handshake completed and the client's certificate verified against the CA. */
  authorized?: boolean;
  /** TLS listener: the CN of the certificate the client presented. */
  clientCn?: string;
}

/** A stand-in SC on 127.0.0.1: a plain TCP listener, or a TLS one asking for client certificates. */
interface StandIn {
  port: number;
  dials: Dial[];
  /** TLS listener: handshakes the server saw fail (the client refused the server, or sent no certificate). */
  tlsErrors: string[];
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

async function plainStandIn(): Promise<StandIn> {
  const dials: Dial[] = [];
  const server = net.createServer((socket) => {
    const dial: Dial = {};
    dials.push(dial);
    socket.once("data", (chunk: Buffer) => {
      dial.firstBytes = chunk;
      socket.destroy();
    });
    socket.on("error", () => undefined);
  });
  const port = await listen(server);
  return { port, dials, tlsErrors: [], close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function tlsStandIn(pki: Pki, serverCert: "good" | "wrongName"): Promise<StandIn> {
  const dials: Dial[] = [];
  const tlsErrors: string[] = [];
  const server = tls.createServer(
    {
      key: pki.file(serverCert === "good" ? "server.key" : "wrong.key"),
      cert: pki.file(serverCert === "good" ? "server.crt" : "wrong.crt"),
      ca: pki.file("ca.crt"),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      const peer = socket.getPeerCertificate();
      dials.push({ authorized: socket.authorized, clientCn: typeof peer.subject?.CN === "string" ? peer.subject.CN : undefined });
      socket.destroy();
    },
  );
  server.on("tlsClientError", (error) => tlsErrors.push(error.message));
  const port = await listen(server);
  return { port, dials, tlsErrors, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Throwaway PKI: a CA, a server certificate for `domain` (and one for another name), a client certificate. PKCS#8 keys. */
interface Pki {
  dir: string;
  file(name: string): Buffer;
}

function makePki(dir: string, domain: string): Pki {
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${result.stderr}`);
  };
  const signed = (name: string, cn: string, extension: string) => {
    run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", `${name}.key`, "-out", `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
    run(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`]);
  };
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=fluvio-spu-test-ca", "-keyout", "ca.key", "-out", "ca.crt"]);
  signed("server", domain, `subjectAltName=DNS:${domain}`);
  signed("wrong", "elsewhere.test", "subjectAltName=DNS:elsewhere.test");
  signed("client", "fluvio-spu-test-client", "extendedKeyUsage=clientAuth");
  if (!readFileSync(join(dir, "client.key"), "utf8").startsWith("-----BEGIN PRIVATE KEY-----")) throw new Error("openssl wrote a key that is not PKCS#8");
  return { dir, file: (name) => readFileSync(join(dir, name)) };
}

/** A temp HOME holding `profile` as `~/.fluvio/config`. */
function homeWith(profile: string, home = mkdtempSync(join(tmpdir(), "fluvio-spu-client-home-"))): string {
  mkdirSync(join(home, ".fluvio"), { recursive: true });
  writeFileSync(join(home, ".fluvio/config"), profile);
  return home;
}

/**
 * A dev-like cluster whose SC public port is the stand-in's: public endpoints on 127.0.0.1 (the
 * host profile dials it), local endpoints on `localhost` (the container profile dials that).
 */
function clusterFor(port: number, extra: Record<string, unknown> = {}) {
  const spec = parseClusterSpec({
    environment: "dev",
    spus: 2,
    publicHost: "127.0.0.1",
    localEndpoint: { host: "localhost" },
    ports: { public: `${port}-${port + 20}`, private: "9101-9200", metrics: "9201-9300" },
    sc: { publicPort: port },
    ...extra,
  });
  return { spec, plan: planCluster(spec, { stack: "dev" }) };
}

/** Is this the start of a TLS handshake (a handshake record, ClientHello)? */
const isTlsHello = (bytes: Buffer | undefined): boolean => bytes !== undefined && bytes[0] === 0x16 && bytes[1] === 0x03;

describe.skipIf(skip)("@fluvio/client reads the profiles we generate", () => {
  it.each([
    ["clientProfile", false],
    ["containerClientProfile", true],
  ] as const)("plain %s: connect() dials the SC endpoint it names, in Fluvio's plaintext protocol", async (_name, inContainer) => {
    const standIn = await plainStandIn();
    try {
      const { plan } = clusterFor(standIn.port);
      const profile = clientProfile(plan, { inContainer });
      expect(profile).toContain(`endpoint = "${inContainer ? "localhost" : "127.0.0.1"}:${standIn.port}"`);
      const outcome = await runClient(homeWith(profile));
      expect(outcome.outcome).not.toBe("connected");
      expect(standIn.dials.length, JSON.stringify(outcome)).toBeGreaterThan(0);
      expect(isTlsHello(standIn.dials[0]!.firstBytes)).toBe(false);
      expect(standIn.dials[0]!.firstBytes!.length).toBeGreaterThan(4);
    } finally {
      await standIn.close();
    }
  });

  it.each([
    ["clientProfile", false],
    ["containerClientProfile", true],
  ] as const)("verified TLS %s: the client presents its certificate from the profile's paths and accepts the server as `domain`", async (_name, inContainer) => {
    const home = mkdtempSync(join(tmpdir(), "fluvio-spu-client-home-"));
    const domain = "fluvio.test";
    const dir = inContainer ? join(home, "container-tls") : join(home, ".fluvio/tls");
    const pki = makePki(dir, domain);
    const good = await tlsStandIn(pki, "good");
    try {
      const { spec, plan } = clusterFor(good.port, { tls: { enabled: true, clientAuth: true, domain, containerClientDir: join(home, "container-tls") } });
      const settings = clientTlsSettings(spec, home)!;
      const profile = clientProfile(plan, { inContainer, tls: settings });
      expect(profile).toContain(`tls_policy = "verified"`);
      expect(profile).toContain(`cert = "${dir}/client.crt"`);
      const outcome = await runClient(homeWith(profile, home));
      expect(good.dials, `${JSON.stringify(outcome)} ${good.tlsErrors.join("; ")}`).toHaveLength(1);
      expect(good.dials[0]).toEqual({ authorized: true, clientCn: "fluvio-spu-test-client" });
    } finally {
      await good.close();
    }
    // The same profile against a server whose certificate does not carry `domain`: the client refuses it.
    const wrong = await tlsStandIn(pki, "wrongName");
    try {
      const { spec, plan } = clusterFor(wrong.port, { tls: { enabled: true, clientAuth: true, domain, containerClientDir: join(home, "container-tls") } });
      const outcome = await runClient(homeWith(clientProfile(plan, { inContainer, tls: clientTlsSettings(spec, home)! }), home));
      expect(outcome.outcome).not.toBe("connected");
      expect(wrong.dials).toEqual([]);
      expect(wrong.tlsErrors.length, "the client dialled, then refused the handshake").toBeGreaterThan(0);
    } finally {
      await wrong.close();
    }
  });

  it("an anonymous profile (what we emitted before) cannot pass a server that asks for client certificates", async () => {
    const home = mkdtempSync(join(tmpdir(), "fluvio-spu-client-home-"));
    const pki = makePki(join(home, ".fluvio/tls"), "fluvio.test");
    const server = await tlsStandIn(pki, "good");
    try {
      const { spec, plan } = clusterFor(server.port, { tls: { enabled: true, clientAuth: true, domain: "fluvio.test" } });
      const verified = clientProfile(plan, { inContainer: false, tls: clientTlsSettings(spec, home)! });
      const anonymous = verified.slice(0, verified.indexOf(`tls_policy = "verified"`)) + `tls_policy = "anonymous"\n`;
      const outcome = await runClient(homeWith(anonymous, home));
      expect(outcome.outcome).not.toBe("connected");
      expect(server.dials).toEqual([]);
      expect(server.tlsErrors.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it("a broken profile fails with a config error and dials nothing", async () => {
    const standIn = await plainStandIn();
    try {
      const { plan } = clusterFor(standIn.port);
      const profile = clientProfile(plan, { inContainer: false });
      const broken = [
        profile.replace(`cluster = "${plan.namePrefix}"`, `cluster = "no-such-cluster"`),
        profile.replace(`tls_policy = "disabled"`, `tls_policy = "sometimes"`),
      ];
      for (const text of broken) {
        const outcome = await runClient(homeWith(text));
        expect(outcome.outcome).toBe("error");
        expect(outcome.message).toMatch(/Config error/);
      }
      expect(standIn.dials).toEqual([]);
    } finally {
      await standIn.close();
    }
  });

  it("a verified profile whose files are not where it says (or says ~) fails before dialling", async () => {
    const home = mkdtempSync(join(tmpdir(), "fluvio-spu-client-home-"));
    const standIn = await plainStandIn();
    try {
      const { spec, plan } = clusterFor(standIn.port, { tls: { enabled: true, clientAuth: true } });
      const outcome = await runClient(homeWith(clientProfile(plan, { inContainer: false, tls: clientTlsSettings(spec, home)! }), home));
      expect(outcome.outcome).toBe("error");
      expect(outcome.message).toMatch(/No such file/);
      // Fluvio expands no ~: with the files in place, a profile saying ~/.fluvio/tls fails the same
      // way (why tls.clientDir must be absolute and the default is written out).
      makePki(join(home, ".fluvio/tls"), "fluvio.test");
      const tilde = clientProfile(plan, { inContainer: false, tls: { domain: "fluvio.test", hostDir: "~/.fluvio/tls", containerDir: "/unused" } });
      const withTilde = await runClient(homeWith(tilde, home));
      expect(withTilde.outcome).toBe("error");
      expect(withTilde.message).toMatch(/No such file/);
      expect(standIn.dials).toEqual([]);
    } finally {
      await standIn.close();
    }
  });
});
