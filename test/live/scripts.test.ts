/**
 * The deployment scripts against the real Docker engine: `--purge` removes exactly one stack's
 * kept volumes (created here as the Docker target declares them), the image build scripts run
 * from an installed package (`npm pack`, extracted elsewhere), and `npm run up` checks the
 * stack's images on the engine before it would hand over to Pulumi (a fake `pulumi` records
 * the hand-over: the Pulumi CLI is not installed here). Everything is named fluvio-spu-zero-test*.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { planCluster } from "../../src/plan/plan";
import { buildDockerSpecs } from "../../src/targets/docker";
import { buildNodeImage, docker, skipLiveTier } from "../support/docker";
import { buildExporterImage } from "../support/exporter-image";
import { PROJECT_ROOT } from "../support/pulumi";
import { fakeTools, runScript, scriptProject } from "../support/scripts";
import { STAND_IN_IMAGE, buildStandInImage } from "./support/images";

const noEngine = skipLiveTier(__filename);
const PREFIX = "fluvio-spu-zero-test";
const UNPULLABLE = `${PREFIX}/not-on-any-registry:0`;

/** The volumes the Docker target declares for a cluster, as `docker volume create` would make them. */
function createClusterVolumes(cluster: string, stack: string): string[] {
  const plan = planCluster(parseClusterSpec({ name: cluster, environment: "dev", spus: 2 }), { stack });
  const volumes = buildDockerSpecs(plan).volumes;
  for (const volume of volumes) docker(["volume", "create", ...Object.entries(volume.labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]), volume.name]);
  return volumes.map((volume) => volume.name);
}

const volumesNamed = (prefix: string): string[] =>
  docker(["volume", "ls", "--quiet"])
    .split("\n")
    .filter((name) => name.startsWith(prefix))
    .sort();

const run = (command: string, args: string[], cwd = PROJECT_ROOT) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, lines: result.stderr.split("\n").filter((line) => line.trim().length > 0) };
};

describe.skipIf(noEngine)("purging a stack's kept volumes (scripts/purge-volumes.sh, npm run down -- <s> --purge)", () => {
  const cluster = `${PREFIX}-c`;
  afterAll(() => {
    spawnSync("docker", ["rm", "-f", `${PREFIX}-holder`], { stdio: "ignore" });
    for (const name of volumesNamed(`${PREFIX}-`)) spawnSync("docker", ["volume", "rm", "-f", name], { stdio: "ignore" });
  });

  it("removes the volumes of one stack and keeps those of a stack whose name it prefixes, and of another cluster in the same stack", () => {
    const purged = createClusterVolumes(cluster, "zt");
    const longer = createClusterVolumes(cluster, "zt2");
    const otherCluster = createClusterVolumes(`${PREFIX}-other`, "zt");
    expect(purged.length).toBeGreaterThanOrEqual(3);

    const dry = run(join(PROJECT_ROOT, "scripts/purge-volumes.sh"), ["--cluster", `${cluster}-zt`, "--stack", "zt", "--dry-run"]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.lines.slice(1).map((line) => line.trim()).sort()).toEqual([...purged].sort());
    expect(volumesNamed(`${PREFIX}-`)).toEqual([...purged, ...longer, ...otherCluster].sort());

    const result = run(join(PROJECT_ROOT, "scripts/purge-volumes.sh"), ["--cluster", `${cluster}-zt`, "--stack", "zt", "--yes"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n").sort()).toEqual(purged.map((name) => `removed ${name}`).sort());
    expect(volumesNamed(`${PREFIX}-`)).toEqual([...longer, ...otherCluster].sort());
  });

  it("npm run down -- <stack> --purge --yes: destroy (fake pulumi), then the stack's volumes go and no other's", () => {
    const kept = createClusterVolumes(cluster, "zt-kept");
    const gone = createClusterVolumes(cluster, "zt-down");
    const root = scriptProject({ "zt-down": { name: cluster, environment: "dev", spus: 2 } });
    const tools = fakeTools({}, { docker: false });
    const result = runScript(root, "scripts/down.sh", ["zt-down", "--purge", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    expect(tools.calls().map((call) => call.argv.join(" "))).toEqual(["destroy --stack zt-down --yes"]);
    expect(volumesNamed(`${cluster}-zt-`)).toEqual([...kept].sort());
    expect(gone.every((name) => !volumesNamed(`${PREFIX}-`).includes(name))).toBe(true);
    rmSync(root, { recursive: true, force: true });
  });

  it("a volume a container still uses stays, with one line naming it (exit 1)", () => {
    const [volume] = createClusterVolumes(cluster, "zt-busy");
    buildStandInImage();
    docker(["create", "--name", `${PREFIX}-holder`, "-v", `${volume}:/data`, STAND_IN_IMAGE]);
    const result = run(join(PROJECT_ROOT, "scripts/purge-volumes.sh"), ["--cluster", `${cluster}-zt-busy`, "--stack", "zt-busy", "--yes"]);
    expect(result.status).toBe(1);
    expect(result.lines.at(-1)).toMatch(new RegExp(`^fluvio-spu: could not remove ${volume}: a container still uses them`));
    expect(volumesNamed(volume!)).toEqual([volume]);
  });
});

describe.skipIf(noEngine)("the image build scripts from an installed package", () => {
  const work = mkdtempSync(join(tmpdir(), `${PREFIX}-package-`));
  const tag = `${PREFIX}/exporter:installed`;
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    spawnSync("docker", ["rmi", "-f", tag], { stdio: "ignore" });
  });

  /** `npm pack` (the files a user's `npm install` gets), extracted into a directory of its own. */
  function installedPackage(): string {
    const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"))!;
    expect(spawnSync("tar", ["-xzf", join(work, tarball), "-C", work]).status).toBe(0);
    return join(work, "package");
  }

  it("images/exporter/build.sh builds from the package's own dist/ (no sources, no repository), on a mirrored base", () => {
    const pkg = installedPackage();
    expect(readdirSync(pkg).sort()).toEqual(expect.not.arrayContaining(["src", "tsconfig.json"]));
    // A base with a `node` user, as node:20-alpine has; registry pulls are impossible here.
    const base = buildNodeImage(`${PREFIX}/node-base:latest`, {
      "/etc/passwd": { content: "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n" },
      "/etc/group": { content: "root:x:0:\nnode:x:1000:\n" },
    });
    const result = run("bash", [join(pkg, "images/exporter/build.sh"), "--base", base, tag], work);
    expect(result.status, result.stderr).toBe(0);
    expect(result.lines.at(-1)).toBe(`fluvio-spu: built ${tag}`);
    expect(docker(["image", "inspect", "--format", "{{.Config.User}} {{json .Config.Cmd}}", tag])).toBe('node ["node","/app/exporter.js","--help"]');
    const usage = spawnSync("docker", ["run", "--rm", tag], { encoding: "utf8" });
    expect(usage.stdout).toMatch(/^usage: node exporter.js --socket/);

    const cli = run("bash", [join(pkg, "images/fluvio-cli/build.sh"), "--base", UNPULLABLE], work);
    expect(cli.status).toBe(3);
    expect(cli.lines).toEqual([expect.stringMatching(new RegExp(`^fluvio-spu: base image ${UNPULLABLE} is not on this Docker engine and cannot be pulled \\(.+\\): load it`))]);
  });
});

describe.skipIf(noEngine)("npm run up on the real engine (fake pulumi)", () => {
  it("hands over to pulumi when every image of the stack is on the engine", () => {
    const images = { fluvio: buildStandInImage(), cli: STAND_IN_IMAGE, exporter: buildExporterImage() };
    const root = scriptProject({ "zt-up": { name: PREFIX, environment: "dev", spus: 1, images } });
    const tools = fakeTools({}, { docker: false });
    const result = runScript(root, "scripts/up.sh", ["zt-up", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    // Between select and up, the state is read for what an interrupted up may have left (nothing here).
    expect(tools.calls().map((call) => call.argv.join(" "))).toEqual(["stack select --create zt-up", "stack export --stack zt-up", "up --stack zt-up --yes"]);
    rmSync(root, { recursive: true, force: true });
  });

  it("stops with one line (exit 3) when an image it cannot build is not on the engine and cannot be pulled", () => {
    const root = scriptProject({ "zt-up": { name: PREFIX, environment: "dev", spus: 1, metrics: { enabled: false }, images: { fluvio: UNPULLABLE, cli: buildStandInImage() } } });
    const tools = fakeTools({}, { docker: false });
    const result = runScript(root, "scripts/up.sh", ["zt-up", "--yes"], tools);
    expect(result.status).toBe(3);
    // The step it was on (one progress line), then the one line that stops it.
    expect(result.lines).toEqual([
      `fluvio-spu: ${UNPULLABLE} (images.fluvio) is not on the engine: pulling it`,
      expect.stringMatching(new RegExp(`^fluvio-spu: ${UNPULLABLE} \\(images\\.fluvio\\) is not on the Docker engine and cannot be pulled`)),
    ]);
    expect(tools.calls()).toEqual([]);
    rmSync(root, { recursive: true, force: true });
  });
});
