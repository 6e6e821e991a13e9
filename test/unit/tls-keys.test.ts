/**
 * TLS keys must be PKCS#8 (`BEGIN PRIVATE KEY`): Fluvio 0.18.1 (rustls) loads no other kind.
 * The pure check, and `fluvio-ports render`, which checks the keys its Compose file will read.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PKCS8_CONVERT_COMMAND, keyIssues, pkcs8Problem } from "../../src/config/pem";
import { renderStack } from "../../src/render";
import { PROJECT_ROOT } from "../support/pulumi";
import { configErrorOf } from "../support/errors";

/** A fresh RSA key in PKCS#8 (OpenSSL 3's default) and the same key as PKCS#1, and an EC key as SEC1. */
function keys(): { pkcs8: string; pkcs1: string; sec1: string } {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-keys-"));
  const run = (args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
  };
  run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"]);
  run(["pkey", "-in", "key.pem", "-traditional", "-out", "key.rsa.pem"]);
  run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.ec.pem"]);
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return { pkcs8: read("key.pem"), pkcs1: read("key.rsa.pem"), sec1: read("key.ec.pem") };
}

describe("pkcs8Problem", () => {
  const { pkcs8, pkcs1, sec1 } = keys();

  it("passes a PKCS#8 key and names what every other kind is, with the conversion command", () => {
    expect(pkcs8.startsWith("-----BEGIN PRIVATE KEY-----")).toBe(true);
    expect(pkcs8Problem(pkcs8)).toBeUndefined();
    expect(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    expect(pkcs8Problem(pkcs1)).toMatch(/^is a PKCS#1 RSA key \(BEGIN RSA PRIVATE KEY\), but Fluvio 0\.18\.1 loads PKCS#8 keys only/);
    expect(pkcs8Problem(sec1)).toMatch(/^is a SEC1 EC key \(BEGIN EC PRIVATE KEY\)/);
    expect(pkcs8Problem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nx\n")).toMatch(/encrypted .* openssl pkcs8 -in key\.pem -out key\.pk8\.pem/);
    expect(pkcs8Problem("-----BEGIN CERTIFICATE-----\nx\n")).toMatch(/^is not a PEM private key/);
    for (const bad of [pkcs1, sec1, ""]) expect(pkcs8Problem(bad)).toContain(PKCS8_CONVERT_COMMAND);
    expect(PKCS8_CONVERT_COMMAND).toBe("openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem");
  });

  it("the conversion command it gives turns the refused keys into keys it passes", () => {
    for (const key of [pkcs1, sec1]) {
      const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-convert-"));
      writeFileSync(join(dir, "key.pem"), key);
      const result = spawnSync("sh", ["-c", PKCS8_CONVERT_COMMAND], { cwd: dir, encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      expect(pkcs8Problem(readFileSync(join(dir, "key.pk8.pem"), "utf8"))).toBeUndefined();
    }
  });

  it("makes one single-line issue at the given path", () => {
    expect(keyIssues("tlsCertificates.serverKey", pkcs8)).toEqual([]);
    const [issue] = keyIssues("tlsCertificates.serverKey", pkcs1);
    expect(issue!.path).toBe("tlsCertificates.serverKey");
    expect(issue!.message).not.toContain("\n");
  });
});

describe("fluvio-ports render with TLS on Docker", () => {
  const { pkcs8, pkcs1 } = keys();

  /** A copy of the project's stack files plus a TLS stack `tls`, and an output folder. */
  function project(): { root: string; out: string } {
    const root = mkdtempSync(join(tmpdir(), "fluvio-spu-render-tls-"));
    cpSync(join(PROJECT_ROOT, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
    cpSync(join(PROJECT_ROOT, "stacks"), join(root, "stacks"), { recursive: true });
    writeFileSync(join(root, "stacks/Pulumi.tls.yaml"), "config:\n  fluvio-spu:cluster:\n    environment: dev\n    spus: 1\n    tls: { enabled: true, clientAuth: true }\n");
    const out = join(root, "render/tls");
    mkdirSync(join(out, "tls"), { recursive: true });
    return { root, out };
  }

  it("refuses a key in ./tls/ beside the Compose file that is not PKCS#8, naming the file and the fix", () => {
    const { root, out } = project();
    writeFileSync(join(out, "tls/server.key"), pkcs1);
    writeFileSync(join(out, "tls/client.key"), pkcs8);
    const error = configErrorOf(() => renderStack(root, "tls", out));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe(join(out, "tls/server.key"));
    expect(error.message).toContain(PKCS8_CONVERT_COMMAND);
  });

  it("renders when the keys there are PKCS#8, or not there yet", () => {
    const { root, out } = project();
    expect(renderStack(root, "tls", out).paths).toHaveLength(4);
    writeFileSync(join(out, "tls/server.key"), pkcs8);
    expect(renderStack(root, "tls", out).paths).toHaveLength(4);
  });
});
