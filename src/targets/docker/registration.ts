import { CONTAINER_PATHS } from "../../plan/layout";
import { fluvioProfileToml } from "../../plan/outputs";
import type { ClusterPlan, SpuPlan } from "../../plan/types";

/** Where the registration job writes the CLI profile it is handed (`FLV_PROFILE_PATH`, read by the `fluvio` CLI). */
const REGISTRATION_PROFILE_PATH = "/tmp/fluvio-spu-profile.toml";

/** How long a registration job waits for the SC to answer before it gives up, in seconds. */
const REGISTRATION_WAIT_SECONDS = 60;

/** The line a registration job prints when the SPU is registered (the deployment reads it back from the logs). */
export const REGISTERED_MARKER = "fluvio-spu: registered SPU";

/**
 * The registration job's script, run as `sh -c <script> fluvio-spu-register <plan.register...>`
 * so the plan's `register` argv reaches `fluvio` verbatim as "$@". Idempotent: it waits for
 * the SC, removes the SPU's registration if there is one (Fluvio has no command to change a
 * registered SPU's endpoints), then registers it again. Needs `/bin/sh` and `fluvio` on the
 * PATH (see images/fluvio-cli).
 */
export const REGISTRATION_SCRIPT = [
  "set -eu",
  'printf "%s\\n" "$FLUVIO_SPU_PROFILE" > "$FLV_PROFILE_PATH"',
  "tries=0",
  "until fluvio cluster spu list >/dev/null 2>&1; do",
  "  tries=$((tries + 1))",
  '  if [ "$tries" -ge "$FLUVIO_SPU_WAIT_SECONDS" ]; then',
  '    echo "fluvio-spu: the SC at $FLUVIO_SPU_SC did not answer in $FLUVIO_SPU_WAIT_SECONDS s; SPU $FLUVIO_SPU_ID is not registered" >&2',
  "    exit 1",
  "  fi",
  "  sleep 1",
  "done",
  'fluvio cluster spu unregister --id "$FLUVIO_SPU_ID" >/dev/null 2>&1 || true',
  'fluvio "$@"',
  `echo "${REGISTERED_MARKER} $FLUVIO_SPU_ID"`,
].join("\n");

/** The line the sync job prints for each SPU it unregisters. */
export const UNREGISTERED_MARKER = "fluvio-spu: unregistered SPU";

/**
 * The sync job's script (see `syncJob` in spec.ts): waits for the SC as a registration job
 * does, lists the registered SPUs (`fluvio cluster spu list -O json`, whose entries carry
 * `"spuId": <id>`), and unregisters every id not in `$FLUVIO_SPU_PLANNED_IDS`. The shell alone
 * reads the list (pattern removal, `case`): a CLI image needs `sh` and `fluvio`, nothing else.
 */
export const SYNC_SCRIPT = [
  "set -eu",
  'printf "%s\\n" "$FLUVIO_SPU_PROFILE" > "$FLV_PROFILE_PATH"',
  "tries=0",
  'until listed="$(fluvio cluster spu list -O json 2>/dev/null)"; do',
  "  tries=$((tries + 1))",
  '  if [ "$tries" -ge "$FLUVIO_SPU_WAIT_SECONDS" ]; then',
  '    echo "fluvio-spu: the SC at $FLUVIO_SPU_SC did not answer in $FLUVIO_SPU_WAIT_SECONDS s; registrations not checked" >&2',
  "    exit 1",
  "  fi",
  "  sleep 1",
  "done",
  // Every number after a "spuId" key, by the shell's own pattern removal (no tr, sed or grep).
  'rest="$listed"',
  'registered=""',
  "while :; do",
  '  case "$rest" in *spuId*) ;; *) break ;; esac',
  '  rest="${rest#*spuId}"',
  '  rest="${rest#*:}"',
  '  rest="${rest#"${rest%%[0-9]*}"}"',
  '  id="${rest%%[!0-9]*}"',
  '  [ -n "$id" ] || break',
  '  registered="$registered $id"',
  '  rest="${rest#"$id"}"',
  "done",
  "for id in $registered; do",
  '  case " $FLUVIO_SPU_PLANNED_IDS " in *" $id "*) continue ;; esac',
  '  fluvio cluster spu unregister --id "$id"',
  `  echo "${UNREGISTERED_MARKER} $id: no longer planned"`,
  "done",
  'echo "fluvio-spu: registered SPUs match the plan ($FLUVIO_SPU_PLANNED_IDS)"',
].join("\n");

/** The argv zero `sh -c` gives the script (shows in `ps` and error messages). */
const REGISTRATION_ARGV0 = "fluvio-spu-register";

/**
 * The SC address registration jobs use: the SC's public port (Fluvio's admin API) at its
 * alias on the cluster network, so registering never leaves the network.
 */
function registrationScAddress(plan: ClusterPlan): string {
  // The SC's alias on the cluster network: a DNS label, never an IP literal.
  return `${plan.sc.host}:${plan.sc.ports.public}`;
}

/**
 * Where a registration job finds the files of its verified TLS profile whenever TLS is on: the
 * CA, and the admin client certificate and key, uploaded as secrets into the job's container.
 */
export const REGISTRATION_TLS_PATHS = {
  caCert: CONTAINER_PATHS.tlsCaCert,
  clientCert: CONTAINER_PATHS.tlsClientCert,
  clientKey: CONTAINER_PATHS.tlsClientKey,
} as const;

/**
 * The Fluvio client profile (TOML) the registration job's CLI uses. Its TLS follows the SC's
 * public port: `disabled` in plaintext; with TLS always `verified` (with or without
 * `tls.clientAuth`: 0.18.1's rustls anonymous connector very likely cannot connect at all, and
 * an SC with `--enable-client-cert` refuses clients without a certificate), presenting the admin
 * client certificate at `REGISTRATION_TLS_PATHS`. Fluvio reads a verified policy as
 * `tls_policy = "verified"`, `tls_source = "files"` and a `certs` table of `domain`, `key`,
 * `cert` and `ca_cert` (its `TlsPolicy::Verified(TlsConfig::Files(TlsPaths))`, adjacently
 * tagged). `domain` is the name the SC's certificate is verified against: the SC's alias on
 * the cluster network, where the job connects, so the server certificate must name it.
 * Paths only: the profile holds no secret.
 */
export function registrationProfile(plan: ClusterPlan): string {
  return fluvioProfileToml({
    name: `${plan.namePrefix}-registration`,
    endpoint: registrationScAddress(plan),
    useSpuLocalAddress: false,
    encryption: plan.encryption,
    installation: "docker",
    ...(plan.encryption === "SSL"
      ? {
          tlsFiles: {
            domain: plan.sc.host,
            caCert: REGISTRATION_TLS_PATHS.caCert,
            clientCert: REGISTRATION_TLS_PATHS.clientCert,
            clientKey: REGISTRATION_TLS_PATHS.clientKey,
          },
        }
      : {}),
  });
}

/** The registration job's argv: the script, then the plan's `register` argv for `fluvio`. */
export function registrationCommand(spu: SpuPlan): string[] {
  return ["/bin/sh", "-c", REGISTRATION_SCRIPT, REGISTRATION_ARGV0, ...spu.register];
}

/** The sync job's argv. */
export function syncCommand(): string[] {
  return ["/bin/sh", "-c", SYNC_SCRIPT, "fluvio-spu-sync"];
}

/** The sync job's environment: the registration profile and the planned ids (its only input that changes). */
export function syncEnvironment(plan: ClusterPlan): Record<string, string> {
  return {
    FLV_PROFILE_PATH: REGISTRATION_PROFILE_PATH,
    FLUVIO_SPU_PROFILE: registrationProfile(plan),
    FLUVIO_SPU_SC: registrationScAddress(plan),
    FLUVIO_SPU_PLANNED_IDS: plan.spus.map((spu) => spu.id).join(" "),
    FLUVIO_SPU_WAIT_SECONDS: String(REGISTRATION_WAIT_SECONDS),
  };
}

/** The registration job's environment. */
export function registrationEnvironment(plan: ClusterPlan, spu: SpuPlan): Record<string, string> {
  return {
    FLV_PROFILE_PATH: REGISTRATION_PROFILE_PATH,
    FLUVIO_SPU_PROFILE: registrationProfile(plan),
    FLUVIO_SPU_SC: registrationScAddress(plan),
    FLUVIO_SPU_ID: String(spu.id),
    FLUVIO_SPU_WAIT_SECONDS: String(REGISTRATION_WAIT_SECONDS),
  };
}
