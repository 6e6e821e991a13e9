/** Throwaway TLS material for a stack with `tls.enabled`: a CA and a server certificate it signed, keys in PKCS#8 (openssl). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TlsFiles {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export function throwawayTls(names: string[]): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-engine-tls-"));
  const run = (args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  try {
    run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=fluvio-spu-engine-ca"]);
    run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "server.key"]);
    run(["req", "-new", "-key", "server.key", "-out", "server.csr", "-subj", `/CN=${names[0]}`]);
    writeFileSync(join(dir, "server.ext"), `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}\n`);
    run(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext"]);
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    return { caCert: read("ca.crt"), serverCert: read("server.crt"), serverKey: read("server.key") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The marks of PEM text found in `text`: the armour itself, or the armour base64-encoded (as in a
 * Secret's `data`) at any of the three byte alignments it can start at.
 */
export function pemMarks(text: string): string[] {
  const armour = "-----BEGIN";
  const encoded = [0, 1, 2].map((shift) => {
    const base64 = Buffer.from("\0".repeat(shift) + armour).toString("base64");
    // Only the 4-character groups made of armour bytes alone.
    return base64.slice(shift === 0 ? 0 : 4, Math.floor((shift + armour.length) / 3) * 4);
  });
  return [armour, ...encoded].filter((mark) => text.includes(mark));
}
