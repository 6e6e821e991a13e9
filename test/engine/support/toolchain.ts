/**
 * The engine tier's view of the toolchain: which real engines `npm run toolchain` built into
 * .toolchain/bin/, whether the control plane (`npm run control-plane -- start`) answers, and
 * the one loud line a laptop without them gets. Under CI=true a missing piece that the
 * toolchain can build is a failure, never a skip.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const PROJECT_ROOT = new URL("../../..", import.meta.url).pathname.replace(/\/$/, "");
export const TOOLCHAIN = join(PROJECT_ROOT, ".toolchain");
export const TOOLCHAIN_BIN = join(TOOLCHAIN, "bin");
export const KUBECONFIG = join(TOOLCHAIN, "kubeconfig");

/** The engines the tier may use. */
export type Engine =
  | "pulumi"
  | "pulumi-language-nodejs"
  | "pulumi-resource-kubernetes"
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kwok";

/** What the prod stack needs under the real engine: the CLI, its Node.js host, the provider and the whole control plane. */
export const KUBERNETES_ENGINES: Engine[] = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];

export function has(engine: Engine): boolean {
  return existsSync(join(TOOLCHAIN_BIN, engine));
}

/** Whether the control plane's /readyz answers (a quick probe through curl with the kubeconfig's certs). */
export function controlPlaneAnswers(): boolean {
  const state = join(TOOLCHAIN, "control-plane");
  if (!existsSync(KUBECONFIG) || !existsSync(join(state, "api-url"))) return false;
  const url = readFileSync(join(state, "api-url"), "utf8").trim();
  const probe = spawnSync(
    "curl",
    ["-fsS", "--max-time", "3", "--cacert", join(state, "pki/ca.crt"), "--cert", join(state, "pki/admin.crt"), "--key", join(state, "pki/admin.key"), `${url}/readyz`],
    { encoding: "utf8" },
  );
  return probe.status === 0;
}

/** The engines every file of the tier needs, and the control plane. */
const TIER_ENGINES: Engine[] = KUBERNETES_ENGINES;

/** Why the tier cannot run here (engines not built, control plane down), or undefined. */
export function tierUnavailable(): string | undefined {
  const missing = TIER_ENGINES.filter((engine) => !has(engine));
  if (missing.length > 0) return `${missing.join(", ")} not in .toolchain/bin (run: npm run toolchain, then npm run control-plane -- start)`;
  if (!controlPlaneAnswers()) return "the control plane does not answer (run: npm run control-plane -- start)";
  return undefined;
}

/** The one loud line a run without the tier prints (from the global setup, once per run). */
export function tierSkipLine(): string | undefined {
  const reason = tierUnavailable();
  return reason === undefined ? undefined : `\n*** SKIPPING engine-tier tests (test/engine): ${reason}. ***\n`;
}

/**
 * Why `file` cannot run here, or undefined when all of `needs` is there. Quiet (the global
 * setup printed the tier's one line); under CI=true a missing piece, or a control plane that
 * does not answer, throws instead (`npm run toolchain` gives every piece; one it could not have
 * is a LEFT OUT line there, and a failure here).
 */
export function engineTierSkip(file: string, needs: { engines: Engine[]; controlPlane?: boolean }): string | undefined {
  const missing = needs.engines.filter((engine) => !has(engine));
  let reason: string | undefined;
  if (missing.length > 0) reason = `${missing.join(", ")} not in .toolchain/bin (run: npm run toolchain)`;
  else if (needs.controlPlane && !controlPlaneAnswers()) reason = "the control plane does not answer (run: npm run control-plane -- start)";
  if (reason !== undefined && process.env.CI === "true") throw new Error(`engine tier ${file}: ${reason}; CI must run this tier (.ci/run builds the toolchain and starts the control plane)`);
  return reason;
}
