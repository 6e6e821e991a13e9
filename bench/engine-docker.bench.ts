/**
 * The Docker target on the real engine (Pulumi CLI, Docker provider 5.2.0, Docker engine, real
 * Fluvio 0.18.1), beside a bare program that registers the same network, volumes and containers
 * (SC, SPUs, registration jobs: the component's own plain spec, `buildDockerSpecs`) through the
 * same provider with no component, plan check or preflight, in the same run: `pulumi preview`
 * of a new stack, the first `up`, a second `up` (no change) and `destroy`, at 3 and 20 SPUs.
 * Both publish on 127.0.0.1 only, so that the bare program's second `up` is a no-op too (with two
 * addresses per port its every `up` would replace every container: the bug the component's
 * port order fixes). One run per figure: each `up` starts and registers real Fluvio nodes.
 * Without the toolchain, Docker or the Fluvio images, the section skips with one line.
 * Runs under the shared lock: flock /tmp/fluvio-spu-docker.lock npm run bench -- engine-docker
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseClusterSpec } from "../src/config/schema";
import { planCluster } from "../src/plan/plan";
import { buildDockerSpecs, creationOrder } from "../src/targets/docker";
import { devStack, pulumiEnv, removeCluster, type Run } from "../test/engine/support/docker-stack";
import { realFluvioImages } from "../test/live/support/fluvio";
import { PROJECT_ROOT } from "../test/engine/support/toolchain";
import { printFigures, type Figure } from "./support";

/** SPU counts to time (FLUVIO_SPU_BENCH_DOCKER_SIZES, e.g. "3" in CI; "3,20" by default). */
const SIZES = (process.env.FLUVIO_SPU_BENCH_DOCKER_SIZES ?? "3,20").split(",").map(Number).filter((size) => Number.isInteger(size) && size > 0);
const SECTION = "real engine: the Docker target beside a bare program (pulumi CLI, Docker provider 5.2.0, real Fluvio)";

/** The bare program: the spec's resources, one `new` each, in creation order. */
const BARE_PROGRAM = `
const docker = require("@pulumi/docker");
const spec = require("./spec.json");
const labels = (record) => Object.entries(record).map(([label, value]) => ({ label, value }));
const network = new docker.Network("network", { name: spec.network.name, driver: "bridge", labels: labels(spec.network.labels) });
const volumes = new Map(spec.volumes.map((volume) => [volume.name, new docker.Volume(volume.key, { name: volume.name, labels: labels(volume.labels) }, { retainOnDelete: true })]));
const created = new Map();
for (const container of spec.ordered) {
  created.set(container.name, new docker.Container(container.key, {
    name: container.name,
    image: spec.images[container.image],
    command: container.command,
    envs: Object.entries(container.env).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => key + "=" + value),
    ports: container.ports.map((port) => ({ internal: port.internal, external: port.external, protocol: port.protocol, ip: port.ip })),
    hosts: container.hosts,
    labels: labels(container.labels),
    mounts: container.mounts.map((mount) => ({ type: "volume", source: volumes.get(mount.volume).name, target: mount.target, readOnly: mount.readOnly })),
    ...(container.healthcheck ? { healthcheck: { tests: container.healthcheck.test, interval: container.healthcheck.interval, timeout: container.healthcheck.timeout, startPeriod: container.healthcheck.startPeriod, retries: container.healthcheck.retries } } : {}),
    networkMode: network.name,
    networksAdvanced: container.networks.map((attachment) => ({ name: network.name, aliases: attachment.aliases })),
    restart: container.restart,
    ...(container.waitHealthy ? { wait: true, waitTimeout: 90 } : {}),
    ...(container.runsOnce ? { mustRun: false, attach: true, logs: false, rm: false } : {}),
  }, { deleteBeforeReplace: true, dependsOn: container.dependsOn.map((dependency) => created.get(dependency.container)).filter(Boolean) }));
}
`;

function timed(run: () => Run): number {
  const result = run();
  if (result.status !== 0) throw new Error(`bench step failed (exit ${result.status}):\n${result.output.slice(-3000)}`);
  return result.ms;
}

/** A Pulumi project holding the bare program for `spus` SPUs, on its own file backend. */
function bareProject(spus: number, images: { fluvio: string; cli: string }, cluster: Record<string, unknown>) {
  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-bare-"));
  const plan = planCluster(parseClusterSpec({ ...cluster, spus }), { stack: "dev", project: "fluvio-spu" });
  const spec = buildDockerSpecs(plan);
  writeFileSync(join(root, "spec.json"), JSON.stringify({ ...spec, ordered: creationOrder(spec), images: { ...plan.images, ...images } }));
  writeFileSync(join(root, "index.js"), BARE_PROGRAM);
  writeFileSync(join(root, "Pulumi.yaml"), "name: fluvio-spu-bare\nruntime: nodejs\nmain: index.js\n");
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"));
  mkdirSync(join(root, ".pulumi-state"));
  const env = pulumiEnv(root);
  const pulumi = (args: string[]): Run => {
    const started = Date.now();
    const result = spawnSync("pulumi", [...args, "--stack", "dev"], { cwd: root, env, encoding: "utf8", timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
    return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}`, ms: Date.now() - started };
  };
  spawnSync("pulumi", ["stack", "select", "--create", "dev"], { cwd: root, env });
  return { pulumi, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** preview, first up, second up, destroy: wall times in ms. */
function phases(pulumi: (args: string[]) => Run): [number, number, number, number] {
  return [
    timed(() => pulumi(["preview"])),
    timed(() => pulumi(["up", "--yes", "--skip-preview"])),
    timed(() => pulumi(["up", "--yes", "--skip-preview", "--expect-no-changes"])),
    timed(() => pulumi(["destroy", "--yes", "--skip-preview"])),
  ];
}

export async function run(): Promise<void> {
  for (const spus of SIZES) {
    const cluster = { target: "docker", environment: "dev", metrics: { enabled: false }, docker: { publishAddresses: ["127.0.0.1"] } };
    removeCluster();
    const stack = devStack("bench/engine-docker.bench.ts", { ...cluster, spus });
    if (!stack) {
      console.log(`\n## ${SECTION}\n  skipped: the Fluvio images or the toolchain are missing (npm run toolchain)`);
      return;
    }
    let component: [number, number, number, number];
    try {
      timed(() => stack.pulumi(["stack", "select", "--create"]));
      component = phases((args) => stack.pulumi(args));
    } finally {
      stack.dispose();
    }
    removeCluster();
    const images = realFluvioImages("bench/engine-docker.bench.ts") as { fluvio: string; cli: string };
    const bare = bareProject(spus, images, cluster);
    let plain: [number, number, number, number];
    try {
      plain = phases(bare.pulumi);
    } finally {
      bare.dispose();
      removeCluster();
    }
    const figures: Figure[] = [];
    ["preview (new stack)", "first up", "second up (no change)", "destroy"].forEach((phase, index) => {
      figures.push({ name: `${spus} SPUs, ${phase}: component`, value: component[index] as number, unit: "ms", note: "one run" });
      figures.push({ name: `${spus} SPUs, ${phase}: bare program`, value: plain[index] as number, unit: "ms", note: "one run" });
      figures.push({ name: `${spus} SPUs, ${phase}: ratio`, value: (component[index] as number) / (plain[index] as number), unit: "x" });
    });
    // Each size as soon as it is measured: a 20-SPU run takes minutes.
    printFigures(`${SECTION}, ${spus} SPUs`, figures);
  }
}
