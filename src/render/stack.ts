/**
 * `fluvio-ports render`: a stack as files a user can review and apply without Pulumi. The only
 * room of src/render that does I/O: it loads the stack, plans it, and writes the files.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, throwIfIssues, type ConfigIssue } from "../errors";
import { keyIssues } from "../config/pem";
import { describeFileError, errorCode, fileError, readOptionalText, removeStaleTemps } from "../config/files";
import { planStackFiles, type ClusterSource } from "../context";
import type { ClusterSpec } from "../config/schema";
import { clientProfile, clientTlsSettings } from "../plan/outputs";
import { PROMETHEUS_FILES } from "../plan/monitoring";
import type { ClusterPlan } from "../plan/types";
import { switchFiles, withRenderedFolder, type SwitchOptions } from "./folder";
import { COMPOSE_TLS_FILES, renderCompose } from "./compose";
import { renderKubernetes } from "./kubernetes";
import { monitoringFiles } from "./monitoring";

/** The file names `renderStack` writes, per target. */
export const RENDERED_FILES = {
  docker: "docker-compose.yaml",
  kubernetes: "kubernetes.yaml",
  plan: "plan.json",
  /** `clientProfile` (clients on the host): `FLV_PROFILE_PATH=<file> fluvio ...`. */
  clientProfile: "client-profile.toml",
  /** `containerClientProfile` (clients in containers, through the local endpoints). */
  containerClientProfile: "container-client-profile.toml",
} as const;

/** What `renderStack` wrote, and what deserves a look. */
export interface RenderedStack {
  /** `docker-compose.yaml` (Docker target) or `kubernetes.yaml` (Kubernetes target). */
  manifest: string;
  /** `plan.json`: the plan the manifest was rendered from, as `fluvio-ports plan --format json` prints it. */
  plan: string;
  /** Every written path: manifest, plan, the two client profiles, then (with monitoring) `prometheus-rules.yaml` and `prometheus.yml`. */
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

/** How `renderStack` treats files already in `outDir`. */
export interface RenderOptions {
  /** Replace files (and symbolic links) that fluvio-ports did not write. Default false. */
  force?: boolean;
}

/** One file to write into the output folder. */
export interface RenderedFile {
  /** The file's name inside the output folder. */
  name: string;
  text: string;
}

/**
 * Loads stack `stack` of the project at `root` (its stack file and the port registry), plans
 * it exactly as `fluvio-ports plan` does, and writes the manifest and `plan.json` into
 * `outDir` (created if missing). Refuses, before writing anything, to replace a file it did not
 * write or a symbolic link, unless `options.force`. Throws `ConfigError` for bad config or an
 * unusable `outDir`, `HostError` (kind `file`) for a file it will not or cannot replace.
 */
export function renderStack(root: string, stack: string, outDir: string, source: ClusterSource = {}, options: RenderOptions & SwitchOptions = {}): RenderedStack {
  const { plan, spec } = planStackFiles(root, stack, undefined, source);
  const manifest = renderManifest(plan);
  const dir = prepareOutDir(outDir);
  throwIfIssues(composeKeyIssues(dir, plan), "fluvio-ports render");
  const files: RenderedFile[] = [
    { name: manifest.file, text: manifest.text },
    { name: RENDERED_FILES.plan, text: `${JSON.stringify(plan, null, 2)}\n` },
    ...profileFiles(plan, spec),
    ...monitoringFiles(plan).map((file) => ({ name: file.file, text: file.text })),
  ];
  const paths = writeRenderedFiles(dir, files, options);
  return { manifest: paths[0]!, plan: paths[1]!, paths, warnings: plan.warnings };
}

/** Every name `render` may write, whatever the stack: the manifests, the plan, the monitoring files. */
const RENDER_NAMES: readonly string[] = [...Object.values(RENDERED_FILES), ...Object.values(PROMETHEUS_FILES)];

/**
 * The Fluvio client profiles (`clientProfile`, `containerClientProfile`), as a Compose or
 * kubectl user has no other way to get them: TOML, paths only (with TLS, the client files of
 * `tls.clientDir` and `tls.containerClientDir`, `clientDir` defaulting to the home of whoever renders).
 */
function profileFiles(plan: ClusterPlan, spec: ClusterSpec): RenderedFile[] {
  const tls = clientTlsSettings(spec, homedir());
  const header = (who: string, file: string): string =>
    `# Fluvio client profile for ${who}: written by ${RENDER_MARK} --stack ${plan.stack}.\n# Use it with FLV_PROFILE_PATH=${file} fluvio topic list (or copy it to ~/.fluvio/config).\n`;
  return [
    {
      name: RENDERED_FILES.clientProfile,
      text: `${header("clients on the host", RENDERED_FILES.clientProfile)}${clientProfile(plan, { inContainer: false, ...(tls ? { tls } : {}) })}`,
    },
    {
      name: RENDERED_FILES.containerClientProfile,
      text: `${header("clients in containers (through the local endpoints)", RENDERED_FILES.containerClientProfile)}${clientProfile(plan, { inContainer: true, ...(tls ? { tls } : {}) })}`,
    },
  ];
}

/**
 * Makes the rendered files in `dir` exactly `files`, as one switch (src/render/folder.ts): a
 * render killed at any moment leaves the old set or, once the next render (or
 * `recoverRenderedFolder`) ran, the new one, and no temporary file. First, under the folder's
 * lock, it finishes or undoes a switch a killed render left, then checks every name: an
 * existing file must be one fluvio-ports wrote (`isRenderedByFluvioPorts`) or already hold
 * exactly the new text, and no name may be a symbolic link (a rename replaces the link, never
 * what it points to); `force` lifts both checks. A folder in a file's place is refused even
 * with `force`. Rendered files of the old set the new one lacks (`prometheus.yml` once
 * monitoring is off, `docker-compose.yaml` after a switch to Kubernetes) go, when they still
 * carry render's header; any other file in `dir` is left alone. Returns the written paths in order.
 */
export function writeRenderedFiles(dir: string, files: readonly RenderedFile[], options: RenderOptions & SwitchOptions = {}): string[] {
  const paths = files.map((file) => join(dir, file.name));
  return withRenderedFolder(
    dir,
    () => {
      // Temporary files of renders before the journal (one per file, `.<name>.<pid>.<hex>.tmp`) whose process is gone.
      for (const path of paths) removeStaleTemps(path);
      files.forEach((file, index) => checkReplaceable(paths[index]!, file, options.force === true));
      switchFiles(dir, files, droppedFiles(dir, files), options);
      return paths;
    },
    options,
  );
}

/** The rendered files in `dir` that the new set lacks: regular files at a name render writes, still with its header. */
function droppedFiles(dir: string, files: readonly RenderedFile[]): string[] {
  const kept = new Set(files.map((file) => file.name));
  return RENDER_NAMES.filter((name) => {
    if (kept.has(name)) return false;
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isFile()) return false;
    } catch {
      return false;
    }
    const text = readOptionalText(path);
    return text !== undefined && isRenderedByFluvioPorts(name, text);
  });
}

function checkReplaceable(path: string, file: RenderedFile, force: boolean): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw fileError(path, describeFileError(error, "write"));
  }
  if (stat.isDirectory()) throw fileError(path, "is a folder where render writes a file: move it away or render into another --out folder");
  if (stat.isSymbolicLink()) {
    if (force) return;
    throw fileError(path, `is a symbolic link (to ${readlinkSync(path)}): render never writes through a link; remove it, or pass --force to replace the link itself with the file`);
  }
  if (force) return;
  const text = readOptionalText(path);
  if (text === undefined || text === file.text || isRenderedByFluvioPorts(file.name, text)) return;
  throw fileError(path, `was not written by fluvio-ports render (no header naming fluvio-ports render${file.name.endsWith(".json") ? ", not a ClusterPlan" : ""}): move it away, render into another --out folder, or pass --force to replace it`);
}

/** The words a leading comment of every rendered YAML file holds (the Compose, Kubernetes and Prometheus headers). */
export const RENDER_MARK = "fluvio-ports render";

/**
 * Whether a file's text is one fluvio-ports render wrote: YAML whose leading comment lines name
 * `fluvio-ports render`, or for `.json` a `ClusterPlan` (an object with a text
 * `stack`, a `target` of docker or kubernetes, an `sc` object and `spus`/`ports` lists).
 */
export function isRenderedByFluvioPorts(name: string, text: string): boolean {
  if (name.endsWith(".json")) return looksLikeClusterPlan(text);
  const [first = "", second = "", third = ""] = text.replace(/^\uFEFF/, "").split(/\r?\n/, 3);
  if (MONITORING_HEADERS.includes(first)) return true;
  // The client profiles' two header lines, exactly as `profileFiles` writes them.
  if (PROFILE_FIRST_LINE.test(first) && PROFILE_SECOND_LINE.test(second)) return true;
  // The Compose and Kubernetes header, exactly as `render` writes its first three lines: another
  // tool's file that mentions fluvio-ports render somewhere near its top is not ours to replace.
  return (
    /^# Fluvio cluster [a-z0-9-]+, stack [^\s`]+: rendered by `fluvio-ports render --stack [^\s`]+`\.$/.test(first) &&
    /^# The same (containers, volumes and network the Pulumi Docker target creates|objects the Pulumi Kubernetes target creates), every port from the stack's plan \(plan\.json\)\.$/.test(second) &&
    third === "# Do not edit: change the stack config and render again."
  );
}

/** The client profiles' header (`profileFiles`): who the profile is for, the stack, and how to use it. */
const PROFILE_FIRST_LINE = /^# Fluvio client profile for (clients on the host|clients in containers \(through the local endpoints\)): written by fluvio-ports render --stack [^\s`]+\.$/;
const PROFILE_SECOND_LINE = /^# Use it with FLV_PROFILE_PATH=(client-profile|container-client-profile)\.toml fluvio topic list \(or copy it to ~\/\.fluvio\/config\)\.$/;

/** The first line of each monitoring file `render` writes (`prometheusRulesYaml`, `prometheusConfigYaml`). */
const MONITORING_HEADERS: readonly string[] = [
  "# Alert rules of a fluvio-spu cluster; generated from its plan (fluvio-ports render). Do not edit.",
  "# Prometheus config of a fluvio-spu cluster; generated from its plan (fluvio-ports render). Do not edit.",
];

function looksLikeClusterPlan(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const plan = value as Record<string, unknown>;
  return (
    typeof plan.stack === "string" &&
    (plan.target === "docker" || plan.target === "kubernetes") &&
    typeof plan.sc === "object" &&
    plan.sc !== null &&
    Array.isArray(plan.spus) &&
    Array.isArray(plan.ports)
  );
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
    // A folder, a dangling link or an unreadable file there is one line naming it (never a crash).
    const text = readOptionalText(path, "the TLS key the Compose file mounts");
    return text === undefined ? [] : keyIssues(path, text);
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
