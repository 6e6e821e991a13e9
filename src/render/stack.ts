/**
 * `fluvio-ports render`: a stack as files a user can review and apply without Pulumi. The only
 * room of src/render that does I/O: it loads the stack, plans it, and writes the files.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, throwIfIssues, type ConfigIssue } from "../errors";
import { keyIssues } from "../config/pem";
import { planStackFiles, type ClusterSource } from "../context";
import type { ClusterPlan } from "../plan/types";
import { COMPOSE_TLS_FILES, renderCompose } from "./compose";
import { renderKubernetes } from "./kubernetes";
import { monitoringFiles } from "./monitoring";

/** The file names `renderStack` writes, per target. */
export const RENDERED_FILES = { docker: "docker-compose.yaml", kubernetes: "kubernetes.yaml", plan: "plan.json" } as const;

/** What `renderStack` wrote, and what deserves a look. */
export interface RenderedStack {
  /** `docker-compose.yaml` (Docker target) or `kubernetes.yaml` (Kubernetes target). */
  manifest: string;
  /** `plan.json`: the plan the manifest was rendered from, as `fluvio-ports plan --format json` prints it. */
  plan: string;
  /** Every written path: manifest, plan, then (with monitoring) `prometheus-rules.yaml` and `prometheus.yml`. */
  paths: string[];
  /** The plan's warnings. */
  warnings: string[];
}

/** The manifest of a plan for its target: a Compose file or Kubernetes YAML. */
export function renderManifest(plan: ClusterPlan): { file: string; text: string } {
  return plan.target === "docker"
    ? { file: RENDERED_FILES.docker, text: renderCompose(plan) }
    : { file: RENDERED_FILES.kubernetes, text: renderKubernetes(plan) };
}

/**
 * Loads stack `stack` of the project at `root` (its stack file and the port registry), plans
 * it exactly as `fluvio-ports plan` does, and writes the manifest and `plan.json` into
 * `outDir` (created if missing). Throws `ConfigError` for bad config or an unusable `outDir`.
 */
export function renderStack(root: string, stack: string, outDir: string, source: ClusterSource = {}): RenderedStack {
  const { plan } = planStackFiles(root, stack, undefined, source);
  const manifest = renderManifest(plan);
  const dir = prepareOutDir(outDir);
  throwIfIssues(composeKeyIssues(dir, plan), "fluvio-ports render");
  const manifestPath = join(dir, manifest.file);
  const planPath = join(dir, RENDERED_FILES.plan);
  writeFileSync(manifestPath, manifest.text);
  writeFileSync(planPath, `${JSON.stringify(plan, null, 2)}\n`);
  const extra = monitoringFiles(plan).map((file) => {
    const path = join(dir, file.file);
    writeFileSync(path, file.text);
    return path;
  });
  return { manifest: manifestPath, plan: planPath, paths: [manifestPath, planPath, ...extra], warnings: plan.warnings };
}

/**
 * The Compose file reads its TLS keys from `./tls/` beside it: the keys already there must be
 * PKCS#8, which Fluvio 0.18.1 alone loads (keys put there later are the user's to convert, as
 * the README says). Only with TLS on the Docker target; nothing to read otherwise.
 */
function composeKeyIssues(dir: string, plan: ClusterPlan): ConfigIssue[] {
  if (plan.target !== "docker" || !plan.tls.enabled) return [];
  return [COMPOSE_TLS_FILES.serverKey, COMPOSE_TLS_FILES.clientKey].flatMap((relative) => {
    const path = join(dir, relative);
    return existsSync(path) ? keyIssues(path, readFileSync(path, "utf8")) : [];
  });
}

function prepareOutDir(outDir: string): string {
  const dir = resolve(outDir);
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
  } catch (error) {
    throw new ConfigError({ path: "--out", message: `'${outDir}' cannot hold the rendered files (${(error as Error).message}): give a directory path you can write to` }, "fluvio-ports render");
  }
  return dir;
}
