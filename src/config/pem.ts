/**
 * Pure checks of TLS key material a user supplies. Fluvio 0.18.1 loads keys with rustls as
 * PKCS#8 only (`-----BEGIN PRIVATE KEY-----`); any other kind stops the SC or SPU at start, so
 * it is refused before anything is deployed, with the command that converts it.
 */
import type { ConfigIssue } from "../errors";

/** The OpenSSL command that turns a PKCS#1, SEC1 or other unencrypted key into PKCS#8. */
export const PKCS8_CONVERT_COMMAND = "openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem";

const PKCS8_HEADER = "-----BEGIN PRIVATE KEY-----";

/** The kind a PEM private-key header names, for messages: `RSA PRIVATE KEY` → PKCS#1 RSA, ... */
const KNOWN_KINDS: Readonly<Record<string, string>> = {
  "RSA PRIVATE KEY": "a PKCS#1 RSA key",
  "EC PRIVATE KEY": "a SEC1 EC key",
  "DSA PRIVATE KEY": "a DSA key",
  "OPENSSH PRIVATE KEY": "an OpenSSH key",
};

/**
 * Why `pem` is not a key Fluvio 0.18.1 can load, or undefined when it is PKCS#8. Reads the PEM
 * header only (the body is the key's own business): `BEGIN PRIVATE KEY` passes; an encrypted
 * PKCS#8 key, a PKCS#1/SEC1/other key, or text with no private-key header does not.
 */
export function pkcs8Problem(pem: string): string | undefined {
  if (pem.includes(PKCS8_HEADER)) return undefined;
  if (pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
    return "is an encrypted PKCS#8 key (BEGIN ENCRYPTED PRIVATE KEY), which Fluvio cannot decrypt: decrypt it with openssl pkcs8 -in key.pem -out key.pk8.pem and supply the result";
  }
  const header = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----/.exec(pem)?.[1];
  const kind = header === undefined ? "not a PEM private key (no -----BEGIN PRIVATE KEY----- line)" : `${KNOWN_KINDS[header] ?? "a key"} (BEGIN ${header})`;
  return `is ${kind}, but Fluvio 0.18.1 loads PKCS#8 keys only (BEGIN PRIVATE KEY): convert it with ${PKCS8_CONVERT_COMMAND} and supply key.pk8.pem`;
}

/** The issue of one supplied key (`path` names where it came from), or none when it is PKCS#8. */
export function keyIssues(path: string, pem: string): ConfigIssue[] {
  const problem = pkcs8Problem(pem);
  return problem === undefined ? [] : [{ path, message: problem }];
}
