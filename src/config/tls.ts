import type { ConfigIssue } from "../errors";
import type { ClusterSpec } from "./schema";

/** Which pieces of TLS material a program handed over (the values are secrets; only their presence is checked). */
export interface TlsMaterialPresence {
  serverCert: boolean;
  serverKey: boolean;
  caCert: boolean;
  clientCert?: boolean;
  clientKey?: boolean;
}

/** The client pieces Docker registration jobs need whenever TLS is on, with the names a user sets them by. */
const CLIENT_PIECES = [
  { field: "clientCert", configKey: "tlsClientCert", what: "certificate" },
  { field: "clientKey", configKey: "tlsClientKey", what: "key" },
] as const;

/**
 * What the TLS settings need from the program: a server certificate and key with `tls.enabled`,
 * the CA with `tls.clientAuth`, and on Docker the CA and an admin client certificate and key
 * whenever TLS is on: the SPU registration jobs reach the SC with a verified TLS profile (Fluvio
 * 0.18.1's anonymous TLS very likely cannot connect). Each issue names the stack secret and the
 * `SpuCluster` argument that supply the piece.
 */
export function tlsMaterialIssues(spec: Pick<ClusterSpec, "tls" | "target">, present: TlsMaterialPresence): ConfigIssue[] {
  if (!spec.tls.enabled) return [];
  const issues: ConfigIssue[] = [];
  if (!present.serverCert || !present.serverKey) {
    issues.push({
      path: "tls.enabled",
      message:
        "is true, but no server certificate and key were given: set the secrets fluvio-spu:tlsServerCert and fluvio-spu:tlsServerKey (pulumi config set --secret ...), or pass tlsCertificates: { serverCert, serverKey } (PEM, as Pulumi secrets) to SpuCluster, or set tls.enabled: false",
    });
  }
  const registrationNeedsThem = spec.target === "docker";
  if (!spec.tls.clientAuth && !registrationNeedsThem) return issues;
  const path = spec.tls.clientAuth ? "tls.clientAuth" : "tls.enabled";
  const why = spec.tls.clientAuth
    ? `is true, so the SC accepts only clients presenting a certificate signed by the CA${registrationNeedsThem ? ", the SPU registration jobs included" : ""}`
    : "is true, and the SPU registration jobs reach the SC with a verified TLS profile (Fluvio 0.18.1's anonymous TLS very likely cannot connect), which loads a client certificate and key and the CA";
  if (!present.caCert) {
    issues.push({
      path,
      message: `${why}; no CA certificate was given${spec.tls.clientAuth ? " to check client certificates against" : ""}: set the secret fluvio-spu:tlsCaCert, or pass tlsCertificates.caCert${spec.tls.clientAuth ? ", or set tls.clientAuth: false" : ""}`,
    });
  }
  const missing = registrationNeedsThem ? CLIENT_PIECES.filter((piece) => !present[piece.field]) : [];
  if (missing.length > 0) {
    const list = (names: string[]): string => names.join(" and ");
    issues.push({
      path,
      message: `${why}; no client ${list(missing.map((piece) => piece.what))} was given: set the secret${missing.length > 1 ? "s" : ""} ${list(missing.map((piece) => `fluvio-spu:${piece.configKey}`))} (pulumi config set --secret ...) to an admin client certificate signed by the CA and its key, or pass ${list(missing.map((piece) => `tlsCertificates.${piece.field}`))} to SpuCluster`,
    });
  }
  return issues;
}
