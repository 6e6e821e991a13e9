/**
 * The package as a user installs it: `npm pack`, then the tarball installed into a fresh
 * project with only one target's SDK, type-checked with the compiler's defaults
 * (`skipLibCheck: false`, no `esModuleInterop`), once as Pulumi's TypeScript template sets
 * up a program and once with Node's own module resolution. Every field of the config shows its
 * schema description on hover, read through the type checker as an editor reads it.
 *
 * Installing needs the npm registry or npm's cache: without either, the tier skips with one
 * loud line outside CI and fails under CI=true.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterJsonSchema } from "../../src/config/schema";
import { schemaFields, type JsonSchema } from "../../scripts/generate/types";
import { PROJECT_ROOT } from "../support/pulumi";

const work = mkdtempSync(join(tmpdir(), "fluvio-spu-package-"));
const PACKAGE = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { name: string; version: string };

/** The version of a dependency this repository builds with (the peers the user installs). */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/** Pulumi's `pulumi new typescript` template: strict, CommonJS, no skipLibCheck, no esModuleInterop. */
const PULUMI_TEMPLATE: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  experimentalDecorators: true,
  noFallthroughCasesInSwitch: true,
  noImplicitReturns: true,
  forceConsistentCasingInFileNames: true,
  noEmit: true,
};

/** Node's own resolution (package.json `exports`), strict, everything else the compiler's default. */
const NODE_NEXT: ts.CompilerOptions = { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true };

const DOCKER_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { SpuCluster, type SpuClusterArgs } from "fluvio-spu";

const provider = new docker.Provider("engine", { host: "unix:///var/run/docker.sock" });
const image = new docker.RemoteImage("fluvio", { name: "infinyon/fluvio:0.18.1" });
const args: SpuClusterArgs = {
  target: "docker",
  environment: "dev",
  spus: [{ id: 5001, publicPort: 9050 }, { id: 5002 }],
  tls: { enabled: true },
  images: { fluvio: image.repoDigest },
  tlsCertificates: { serverCert: pulumi.secret("pem"), serverKey: pulumi.output("pem") },
  dockerProvider: provider,
};
const bus = new SpuCluster("bus", args);
// @ts-expect-error a misspelt field is a type error, not ignored
new SpuCluster("typo", { spus: 1, strategey: "sequential" });
export const profile = bus.containerClientProfile;
export const spus = bus.spus;
`;

const KUBERNETES_PROGRAM = `import * as k8s from "@pulumi/kubernetes";
import { SpuCluster, parseClusterSpec, planCluster } from "fluvio-spu";

const provider = new k8s.Provider("cluster", { kubeconfig: "~/.kube/config" });
const bus = new SpuCluster("bus", { target: "kubernetes", environment: "prod", spus: 3, kubernetes: { serviceType: "NodePort" } }, { provider });
const plan = planCluster(parseClusterSpec({ target: "kubernetes", environment: "prod", spus: 3 }), { stack: "prod" });
// @ts-expect-error ports are planned before anything is created, so they take plain numbers, not outputs
new SpuCluster("pinned", { spus: [{ id: 5001, publicPort: bus.ports.apply(() => 9050) }] });
export const ports = plan.ports.map((row) => row.port);
export const profile = bus.clientProfile;
`;

let tarball = "";
let files: string[] = [];
/** Why installing was impossible (no registry, no cache), or undefined when it worked. */
let cannotInstall: string | undefined;

function run(command: string, args: string[], cwd: string) {
  return spawnSync(command, args, { cwd, encoding: "utf8", timeout: 240_000, env: { ...process.env, npm_config_update_notifier: "false" } });
}

/** A fresh project with the tarball and the given peers installed, and one program. */
function project(name: string, peers: string[], program: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true }));
  writeFileSync(join(dir, "index.ts"), program);
  if (cannotInstall) return dir;
  const specs = peers.map((peer) => `${peer}@${installedVersion(peer)}`);
  const installed = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", tarball, ...specs], dir);
  if (installed.status !== 0) {
    const said = `${installed.stderr}${installed.error?.message ?? ""}`;
    if (/ENOTFOUND|EAI_AGAIN|ENOTCACHED|ECONNREFUSED|ETIMEDOUT|network/i.test(said)) cannotInstall = said.split("\n").find((line) => line.trim() !== "") ?? "npm install failed";
    else throw new Error(`npm install in ${name} failed:\n${said}`);
  }
  return dir;
}

/** The compiler's diagnostics for a project's program, one line each. */
function typeCheck(dir: string, options: ts.CompilerOptions): string[] {
  const program = ts.createProgram([join(dir, "index.ts")], options);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file ? `${diagnostic.file.fileName.slice(dir.length + 1)}(${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}): ` : "";
    return `${where}TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
  });
}

function skipped(): boolean {
  if (cannotInstall === undefined) return false;
  if (process.env.CI === "true") throw new Error(`test/package: the tarball could not be installed (${cannotInstall}); under CI=true this tier must run`);
  console.warn(`test/package SKIPPED: the tarball could not be installed without the npm registry or its cache (${cannotInstall})`);
  return true;
}

let docker = "";
let kubernetes = "";

beforeAll(() => {
  // dist/ is built by the global setup; packing must not build again under the other tests' feet.
  const packed = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], PROJECT_ROOT);
  expect(packed.status, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info!.filename);
  files = info!.files.map((file) => file.path);
  docker = project("docker-only", ["@pulumi/pulumi", "@pulumi/docker", "@types/node"], DOCKER_PROGRAM);
  kubernetes = project("kubernetes-only", ["@pulumi/pulumi", "@pulumi/kubernetes", "@types/node"], KUBERNETES_PROGRAM);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm pack", () => {
  it("ships no V8 code cache and no source maps, and no compiled file names a map", () => {
    expect(files.filter((file) => file.endsWith(".map") || file.endsWith(".cache"))).toEqual([]);
    expect(files).toContain("dist/cli.bundle.js");
    for (const file of files.filter((entry) => entry.endsWith(".js"))) {
      expect(readFileSync(join(PROJECT_ROOT, file), "utf8"), file).not.toMatch(/sourceMappingURL/);
    }
  });

  it("ships the license, the changelog, the README and the docs it links to", () => {
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "CHANGELOG.md", "README.md", "package.json", "dist/index.d.ts", "dist/index.js", "bin/fluvio-ports.js"]));
    expect(readFileSync(join(PROJECT_ROOT, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(readFileSync(join(PROJECT_ROOT, "CHANGELOG.md"), "utf8")).toMatch(/^## \[/m);
    const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
    const linked = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((match) => match[1]!);
    for (const doc of linked) expect(files, `README links ${doc}`).toContain(doc);
  });
});

describe("the installed tarball", () => {
  it("type-checks a Docker-only program (no @pulumi/kubernetes installed) with Pulumi's template settings", () => {
    if (skipped()) return;
    expect(() => require.resolve("@pulumi/kubernetes", { paths: [docker] })).toThrow();
    expect(typeCheck(docker, PULUMI_TEMPLATE)).toEqual([]);
  });

  it("type-checks a Kubernetes-only program (no @pulumi/docker installed) with Node's module resolution", () => {
    if (skipped()) return;
    expect(() => require.resolve("@pulumi/docker", { paths: [kubernetes] })).toThrow();
    expect(typeCheck(kubernetes, NODE_NEXT)).toEqual([]);
  });

  it("shows every config field's schema description on hover", () => {
    if (skipped()) return;
    const entry = join(docker, "hover.ts");
    writeFileSync(entry, `import type { SpuClusterArgs } from "fluvio-spu";\nexport type Args = SpuClusterArgs;\n`);
    const program = ts.createProgram([entry], PULUMI_TEMPLATE);
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(entry)!;
    const alias = source.statements.find(ts.isTypeAliasDeclaration)!;
    const args = checker.getTypeAtLocation(alias.name);
    // Where the declaration comes from: the installed package, not this repository.
    const declaration = args.getProperty("strategy")!.declarations![0]!.getSourceFile().fileName;
    expect(realpathSync(declaration)).toContain(join(docker, "node_modules", PACKAGE.name));
    const fields = schemaFields(clusterJsonSchema() as JsonSchema);
    for (const { path, field } of fields) {
      const symbol = propertyAt(checker, args, path.split("."));
      expect(symbol, `${path} is not a property of SpuClusterArgs`).toBeDefined();
      const hover = ts.displayPartsToString(symbol!.getDocumentationComment(checker)).replace(/\s+/g, " ");
      expect(hover, `hover on ${path}`).toContain(field.description!.replace(/\s+/g, " ").slice(0, 60));
    }
  });
});

/** The property a field path names (`tls.enabled`, `spus[].id`), through optional fields, unions and lists. */
function propertyAt(checker: ts.TypeChecker, type: ts.Type, path: string[]): ts.Symbol | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  const list = head.endsWith("[]");
  const name = list ? head.slice(0, -2) : head;
  for (const member of checker.getNonNullableType(type).isUnion() ? (checker.getNonNullableType(type) as ts.UnionType).types : [checker.getNonNullableType(type)]) {
    const symbol = member.getProperty(name);
    if (!symbol) continue;
    if (rest.length === 0 && !list) return symbol;
    let next = checker.getNonNullableType(checker.getTypeOfSymbol(symbol));
    if (list) {
      const arrays = next.isUnion() ? next.types.filter((entry) => checker.isArrayType(entry)) : [next];
      next = checker.getTypeArguments(arrays[0] as ts.TypeReference)[0]!;
    }
    const found = propertyAt(checker, next, rest);
    if (found) return found;
  }
  return undefined;
}
