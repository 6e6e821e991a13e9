/**
 * `npm run up` and `npm run down` as a user runs them (scripts/up.sh, scripts/down.sh), with fake
 * `pulumi` and `docker` executables that record every call (test/support/scripts.ts): what is
 * checked, built or pulled before `pulumi up`, the one line that stops a run early, the state
 * backend and passphrase printed as `export` lines a new shell can paste, and what `--purge`
 * removes. The real engine runs the purge and the image builds in test/live/scripts.test.ts.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { IMAGE_BUILDERS, formatNeeds, imageNeeds, repositoryOf } from "../../src/deploy/images";
import { planCluster } from "../../src/plan/plan";
import { LABELS } from "../../src/plan/layout";
import { PROJECT_ROOT } from "../support/pulumi";
import { fakePulumiSource, fakeTools, runScript, scriptProject, type ToolCall } from "../support/scripts";

const DEFAULT_IMAGES = parseClusterSpec({ environment: "dev", spus: 1 }).images;
const ALL_DEFAULT_IMAGES = [DEFAULT_IMAGES.fluvio, DEFAULT_IMAGES.cli, DEFAULT_IMAGES.exporter];
const BASES = ["node:20-alpine", "debian:bookworm-slim"];

const pulumiCalls = (calls: ToolCall[]) => calls.filter((call) => call.tool === "pulumi").map((call) => call.argv.join(" "));
const dockerCalls = (calls: ToolCall[]) => calls.filter((call) => call.tool === "docker" && call.argv[0] !== "(context)").map((call) => call.argv.join(" "));
const builds = (calls: ToolCall[]) => calls.filter((call) => call.tool === "docker" && call.argv[0] === "(context)").map((call) => call.argv);

describe("imageNeeds: the images a stack runs and how up makes them ready", () => {
  const plan = (config: Record<string, unknown>, stack = "dev") => planCluster(parseClusterSpec({ environment: "dev", spus: 2, ...config }), { stack });

  it("Docker: pulls the Fluvio image, builds the CLI and exporter images the package ships", () => {
    expect(imageNeeds(plan({}))).toEqual([
      { role: "fluvio", image: "infinyon/fluvio:0.18.1", source: "pull" },
      { role: "cli", image: "fluvio-spu/fluvio-cli:0.18.1", source: "build", script: "images/fluvio-cli/build.sh" },
      { role: "exporter", image: "fluvio-spu/metrics-exporter:0.1.0", source: "build", script: "images/exporter/build.sh" },
    ]);
  });

  it("builds another tag of our images, pulls any other name, and leaves out the exporter without metrics", () => {
    const needs = imageNeeds(plan({ images: { cli: "fluvio-spu/fluvio-cli:0.18.2", exporter: "registry.example.com:5000/tools/exporter:1" } }));
    expect(needs.map((need) => [need.role, need.source, need.script ?? "-"])).toEqual([
      ["fluvio", "pull", "-"],
      ["cli", "build", "images/fluvio-cli/build.sh"],
      ["exporter", "pull", "-"],
    ]);
    expect(imageNeeds(plan({ metrics: { enabled: false } })).map((need) => need.role)).toEqual(["fluvio", "cli"]);
  });

  it("Kubernetes: nothing to prepare on this engine, the nodes pull (and no CLI image: SPUs are Spu resources)", () => {
    const needs = imageNeeds(plan({ target: "kubernetes" }));
    expect(needs.map((need) => [need.role, need.source])).toEqual([
      ["fluvio", "cluster"],
      ["exporter", "cluster"],
    ]);
  });

  it("names repositories the way Docker does (a registry port is not a tag) and formats one tab-separated line per image", () => {
    expect(repositoryOf("fluvio-spu/fluvio-cli:0.18.1")).toBe("fluvio-spu/fluvio-cli");
    expect(repositoryOf("registry.example.com:5000/fluvio-spu/fluvio-cli")).toBe("registry.example.com:5000/fluvio-spu/fluvio-cli");
    expect(repositoryOf("fluvio-spu/metrics-exporter@sha256:abc")).toBe("fluvio-spu/metrics-exporter");
    expect(formatNeeds(imageNeeds(plan({})))).toBe(
      "pull\tfluvio\tinfinyon/fluvio:0.18.1\t-\nbuild\tcli\tfluvio-spu/fluvio-cli:0.18.1\timages/fluvio-cli/build.sh\nbuild\texporter\tfluvio-spu/metrics-exporter:0.1.0\timages/exporter/build.sh\n",
    );
  });

  it("every builder's script exists and builds the default tag of its role", () => {
    for (const builder of IMAGE_BUILDERS) {
      const script = readFileSync(join(PROJECT_ROOT, builder.script), "utf8");
      expect(script).toContain(DEFAULT_IMAGES[builder.role]);
      expect(repositoryOf(DEFAULT_IMAGES[builder.role])).toBe(builder.repository);
    }
  });
});

describe("npm run up -- <stack>", () => {
  it("usage: no stack is exit 2 and names the stacks", () => {
    const tools = fakeTools();
    const result = runScript(scriptProject(), "scripts/up.sh", [], tools);
    expect(result.status).toBe(2);
    expect(result.lines).toHaveLength(1);
    expect(result.stderr).toMatch(/^usage: npm run up -- <stack> .*stacks: dev prod/);
  });

  it("without the Pulumi CLI: one line, exit 127, after the stack and its config, before Docker is asked anything", () => {
    const tools = fakeTools({}, { pulumi: false });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev"], tools);
    expect(result.status).toBe(127);
    expect(result.lines).toHaveLength(1);
    expect(result.stderr).toMatch(/^fluvio-spu: the Pulumi CLI is not installed.*npm run plan -- --stack dev/);
    expect(tools.calls()).toEqual([]);
  });

  it("with every image on the engine: checks them, prints the backend as export lines, then pulumi stack select and up with the flags given", () => {
    const root = scriptProject();
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const result = runScript(root, "scripts/up.sh", ["dev", "--yes", "--skip-preview"], tools);
    expect(result.status, result.stderr).toBe(0);
    expect(pulumiCalls(tools.calls())).toEqual(["stack select --create dev", "stack export --stack dev", "up --stack dev --yes --skip-preview"]);
    const up = tools.calls().find((call) => call.tool === "pulumi" && call.argv[0] === "up")!;
    expect(up.env.PULUMI_BACKEND_URL).toBe(`file://${root}/.pulumi-state`);
    expect(up.env.PULUMI_CONFIG_PASSPHRASE).toBe("fluvio-spu-local-dev");
    expect(dockerCalls(tools.calls())).toEqual(["version --format {{.Server.Version}}", ...ALL_DEFAULT_IMAGES.map((image) => `image inspect ${image}`)]);
    expect(builds(tools.calls())).toEqual([]);
    // The lines a new shell pastes give pulumi exactly the environment up ran it with.
    const exports = result.lines.filter((line) => line.trim().startsWith("export ")).join("\n");
    expect(exports).toMatch(/export PULUMI_BACKEND_URL=.*\n\s+export PULUMI_CONFIG_PASSPHRASE=fluvio-spu-local-dev/);
    const pasted = spawnSync("bash", ["-c", `${exports}\nprintf '%s\\n%s' "$PULUMI_BACKEND_URL" "$PULUMI_CONFIG_PASSPHRASE"`], { encoding: "utf8", env: {} });
    expect(pasted.stdout).toBe(`${up.env.PULUMI_BACKEND_URL}\n${up.env.PULUMI_CONFIG_PASSPHRASE}`);
  });

  it("builds the exporter and CLI images the engine lacks with images/*/build.sh, from a context holding only what the image needs", () => {
    const tools = fakeTools({ images: [DEFAULT_IMAGES.fluvio, ...BASES] });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    const built = builds(tools.calls());
    expect(built).toHaveLength(2);
    const [cli, exporter] = built;
    expect(cli!.slice(0, cli!.indexOf("(dockerfile)"))).toEqual(["(context)", "Dockerfile"]);
    expect(exporter!.slice(0, exporter!.indexOf("(dockerfile)"))).toEqual(["(context)", "Dockerfile", ...exporterFiles()]);
    const dockerBuilds = dockerCalls(tools.calls()).filter((call) => call.startsWith("build "));
    expect(dockerBuilds).toEqual([expect.stringMatching(/^build --build-arg FLUVIO_VERSION=0\.18\.1 -t fluvio-spu\/fluvio-cli:0\.18\.1 /), expect.stringMatching(/^build -t fluvio-spu\/metrics-exporter:0\.1\.0 /)]);
    expect(tools.engine().images).toEqual(expect.arrayContaining(ALL_DEFAULT_IMAGES));
    expect(pulumiCalls(tools.calls())).toEqual(["stack select --create dev", "stack export --stack dev", "up --stack dev --yes"]);
  });

  it("stops with one line (exit 3) when a base image is neither on the engine nor pullable, and never runs pulumi up", () => {
    const tools = fakeTools({ images: [DEFAULT_IMAGES.fluvio, DEFAULT_IMAGES.cli] });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev", "--yes"], tools);
    expect(result.status).toBe(3);
    expect(result.lines.at(-1)).toMatch(/^fluvio-spu: base image node:20-alpine is not on this Docker engine and cannot be pulled \(Error response from daemon: pull access denied .*\): load it .*--base <image>$/);
    expect(result.lines.filter((line) => line.startsWith("fluvio-spu: ") && !line.includes("building it with"))).toHaveLength(1);
    expect(pulumiCalls(tools.calls())).toEqual([]);
  });

  it("pulls an image it cannot build; stops with one line naming the config key when the pull fails", () => {
    const pulled = fakeTools({ images: [DEFAULT_IMAGES.cli, DEFAULT_IMAGES.exporter], pullable: [DEFAULT_IMAGES.fluvio] });
    expect(runScript(scriptProject(), "scripts/up.sh", ["dev", "--yes"], pulled).status).toBe(0);
    expect(dockerCalls(pulled.calls())).toContain(`pull --quiet ${DEFAULT_IMAGES.fluvio}`);

    const tools = fakeTools({ images: [DEFAULT_IMAGES.cli, DEFAULT_IMAGES.exporter] });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev"], tools);
    expect(result.status).toBe(3);
    expect(result.lines).toEqual([`fluvio-spu: ${DEFAULT_IMAGES.fluvio} (images.fluvio) is not on the engine: pulling it`, expect.any(String)]);
    expect(result.lines[1]).toMatch(/^fluvio-spu: infinyon\/fluvio:0\.18\.1 \(images\.fluvio\) is not on the Docker engine and cannot be pulled \(.*pull access denied.*\): .*images\.fluvio in stacks\/Pulumi\.dev\.yaml/);
    expect(pulumiCalls(tools.calls())).toEqual([]);
  });

  it("stops with one line (exit 3) when no Docker engine answers", () => {
    const tools = fakeTools({ up: false });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev"], tools, { DOCKER_HOST: "ssh://ops@build-host" });
    expect(result.status).toBe(3);
    expect(result.lines).toHaveLength(1);
    expect(result.stderr).toMatch(/^fluvio-spu: no Docker engine answers at ssh:\/\/ops@build-host \(Cannot connect/);
    expect(pulumiCalls(tools.calls())).toEqual([]);
  });

  it("stops with one line (exit 127) when the docker CLI is not installed", () => {
    const tools = fakeTools({}, { docker: "absent" });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev"], tools);
    expect(result.status).toBe(127);
    expect(result.lines).toEqual([expect.stringMatching(/^fluvio-spu: the docker CLI is not installed: install Docker/)]);
    expect(pulumiCalls(tools.calls())).toEqual([]);
  });

  it("a config error stops it (exit 2) before Docker or Pulumi is asked anything", () => {
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const result = runScript(scriptProject({ broken: { environment: "dev", spus: 1, strategey: "sequential" } }), "scripts/up.sh", ["broken"], tools);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/strategey/);
    expect(tools.calls()).toEqual([]);
  });

  it("a Kubernetes stack needs no Docker engine: nothing is checked or built, KUBECONFIG reaches pulumi", () => {
    const tools = fakeTools({ up: false });
    const result = runScript(scriptProject(), "scripts/up.sh", ["prod", "--yes"], tools, { KUBECONFIG: "/tmp/kubeconfig-of-the-test" });
    expect(result.status, result.stderr).toBe(0);
    expect(dockerCalls(tools.calls())).toEqual([]);
    expect(result.stderr).toMatch(/the Kubernetes nodes pull infinyon\/fluvio:0\.18\.1 fluvio-spu\/metrics-exporter:0\.1\.0 themselves/);
    const up = tools.calls().find((call) => call.tool === "pulumi" && call.argv[0] === "up")!;
    expect(up.argv).toEqual(["up", "--stack", "prod", "--yes"]);
    expect(up.env.KUBECONFIG).toBe("/tmp/kubeconfig-of-the-test");
  });

  it("keeps the backend and passphrase the user set, and never prints their passphrase", () => {
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev"], tools, { PULUMI_BACKEND_URL: "s3://team-state/fluvio", PULUMI_CONFIG_PASSPHRASE: "correct horse battery" });
    expect(result.status, result.stderr).toBe(0);
    const up = tools.calls().find((call) => call.tool === "pulumi" && call.argv[0] === "up")!;
    expect(up.env).toMatchObject({ PULUMI_BACKEND_URL: "s3://team-state/fluvio", PULUMI_CONFIG_PASSPHRASE: "correct horse battery" });
    expect(result.stderr).toContain("export PULUMI_BACKEND_URL=s3://team-state/fluvio");
    expect(result.stderr).toContain("export PULUMI_CONFIG_PASSPHRASE=...   # yours");
    expect(result.stderr).not.toContain("correct horse");

    const withFile = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const fromFile = runScript(scriptProject(), "scripts/up.sh", ["dev"], withFile, { PULUMI_CONFIG_PASSPHRASE_FILE: "/secrets/pulumi pass" });
    expect(fromFile.stderr).toContain("export PULUMI_CONFIG_PASSPHRASE_FILE=/secrets/pulumi\\ pass");
    expect(withFile.calls().find((call) => call.argv[0] === "up")!.env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
  });
});

describe("npm run up: the stack first, the toolchain's Pulumi, a build only when something changed", () => {
  it("a typo in the stack name is the stack error (exit 2), even without the Pulumi CLI", () => {
    const tools = fakeTools({}, { pulumi: false });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dve"], tools);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no stack file for 'dve'.*known stacks are dev, prod/);
    expect(result.stderr).not.toMatch(/Pulumi CLI is not installed/);
    expect(tools.calls()).toEqual([]);
  });

  it("npm run down: the same stack error before Pulumi is looked for", () => {
    const tools = fakeTools({}, { pulumi: false });
    const result = runScript(scriptProject(), "scripts/down.sh", ["dve", "--yes"], tools);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no stack file for 'dve'/);
    expect(result.stderr).not.toMatch(/Pulumi CLI is not installed/);
  });

  it("runs .toolchain/bin/pulumi when the project has one, with plugin downloads off when its plugins are there", () => {
    const root = scriptProject();
    const bin = join(root, ".toolchain", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "pulumi"), fakePulumiSource());
    writeFileSync(join(bin, "pulumi-resource-docker"), "#!/bin/sh\n");
    for (const name of ["pulumi", "pulumi-resource-docker"]) chmodSync(join(bin, name), 0o755);
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const result = runScript(root, "scripts/up.sh", ["dev", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    const up = tools.calls().find((call) => call.tool === "pulumi" && call.argv[0] === "up")!;
    expect(up.bin).toBe(join(bin, "pulumi"));
    expect(up.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe("true");
    expect(result.stderr).toContain("fluvio-spu: using the Pulumi CLI and plugins in .toolchain/bin");

    const down = fakeTools();
    expect(runScript(root, "scripts/down.sh", ["dev", "--yes"], down).status).toBe(0);
    expect(down.calls().find((call) => call.argv[0] === "destroy")!.bin).toBe(join(bin, "pulumi"));
  });

  it("without a toolchain, the pulumi on the PATH, plugin downloads left as they are", () => {
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    const up = tools.calls().find((call) => call.tool === "pulumi" && call.argv[0] === "up")!;
    expect(up.bin).toBe(join(tools.path.split(":")[0]!, "pulumi"));
    expect(up.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBeUndefined();
  });

  it("says each long step: the build, an image pulled or built, pulumi up with its flags", () => {
    const tools = fakeTools({ images: [DEFAULT_IMAGES.cli, DEFAULT_IMAGES.exporter], pullable: [DEFAULT_IMAGES.fluvio] });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    // (The fake tools give no engine API: the recovery says once that it could not look.)
    const said = result.lines.filter((line) => line.startsWith("fluvio-spu: ") && !line.startsWith("fluvio-spu: stack dev, state backend") && !line.includes("not looked for"));
    expect(said).toEqual([`fluvio-spu: ${DEFAULT_IMAGES.fluvio} (images.fluvio) is not on the engine: pulling it`, "fluvio-spu: pulumi up --stack dev --yes"]);
  });

  /** A project copy with sources, and a fake `npm` that records each build and writes the bundle the way `npm run build` does last. */
  function buildProject() {
    const root = scriptProject();
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.ts"), "export const a = 1;\n");
    writeFileSync(join(root, "tsconfig.build.json"), "{}\n");
    const bin = join(root, "fake-npm");
    mkdirSync(bin);
    const log = join(root, "builds.log");
    writeFileSync(join(bin, "npm"), `#!/bin/sh\necho "$*" >> ${log}\nsleep 1\ntouch ${join(root, "dist", "cli.bundle.js")}\n`);
    chmodSync(join(bin, "npm"), 0o755);
    // Everything older than the copy's dist, as after a build: the first run has nothing to do.
    const past = new Date(Date.now() - 3600_000);
    for (const path of ["src/a.ts", "src", "tsconfig.build.json", "package.json", "scripts/bundle-cli.js"]) utimesSync(join(root, path), past, past);
    const builds = () => (spawnSync("cat", [log], { encoding: "utf8" }).stdout || "").split("\n").filter(Boolean);
    const run = () => {
      const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
      return runScript(root, "scripts/up.sh", ["dev", "--yes"], tools, { PATH: `${bin}:${tools.path}` });
    };
    return { root, builds, run };
  }

  it("skips npm run build when dist is newer than every source and build input; rebuilds after an edit, an added or a removed file", () => {
    const project = buildProject();
    let result = project.run();
    expect(result.status, result.stderr).toBe(0);
    expect(project.builds()).toEqual([]);
    expect(result.stderr).toContain("fluvio-spu: the build is current");

    writeFileSync(join(project.root, "src", "a.ts"), "export const a = 2;\n");
    result = project.run();
    expect(result.stderr).toMatch(/fluvio-spu: building the program \(npm run build\): src\S* changed since the last build/);
    expect(project.builds()).toEqual(["run build --silent"]);

    result = project.run();
    expect(project.builds()).toHaveLength(1);
    expect(result.stderr).toContain("fluvio-spu: the build is current");

    rmSync(join(project.root, "src", "a.ts"));
    project.run();
    expect(project.builds()).toHaveLength(2);

    // A build input beside the sources counts too.
    writeFileSync(join(project.root, "tsconfig.build.json"), '{"compilerOptions":{}}\n');
    project.run();
    expect(project.builds()).toHaveLength(3);
  });

  it("an edit made while the build runs is built again next time (the stamp is dated when the build began)", async () => {
    const project = buildProject();
    writeFileSync(join(project.root, "src", "a.ts"), "export const a = 3;\n");
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const child = spawn("bash", [join(project.root, "scripts/up.sh"), "dev", "--yes"], { cwd: project.root, env: { ...process.env, ...tools.env, PATH: `${join(project.root, "fake-npm")}:${tools.path}` } });
    await new Promise((resolve) => setTimeout(resolve, 600));
    writeFileSync(join(project.root, "src", "b.ts"), "export const b = 1;\n");
    await new Promise((resolve) => child.on("close", resolve));
    expect(project.builds()).toHaveLength(1);
    project.run();
    expect(project.builds()).toHaveLength(2);
  });
});

describe("npm run up: what an interrupted up left, before pulumi up (docs/faults.md)", () => {
  const pendingExport = JSON.stringify({
    version: 3,
    deployment: {
      resources: [],
      pending_operations: [{ resource: { urn: "urn:pulumi:dev::fluvio-spu::fluvio:index:SpuCluster$docker:index/container:Container::fluvio-spu-5001", type: "docker:index/container:Container", inputs: { name: "fluvio-dev-spu-5001" } }, type: "creating" }],
    },
  });

  it("pending creates: says so and runs pulumi refresh --clear-pending-creates before up", () => {
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const result = runScript(scriptProject(), "scripts/up.sh", ["dev", "--yes"], tools, { FAKE_PULUMI_EXPORT: pendingExport });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("fluvio-spu: the last up was interrupted (creating fluvio-dev-spu-5001): pulumi refresh --clear-pending-creates --yes --stack dev");
    const calls = pulumiCalls(tools.calls());
    expect(calls.indexOf("refresh --clear-pending-creates --yes --skip-preview --stack dev")).toBeGreaterThan(0);
    expect(calls.at(-1)).toBe("up --stack dev --yes");
  });

  function lockedProject(pid: number, host = hostname()) {
    const root = scriptProject();
    const dir = join(root, ".pulumi-state", ".pulumi", "locks", "organization", "fluvio-spu", "dev");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "8d9c.json"), JSON.stringify({ pid, username: "me", hostname: host, timestamp: "2026-12-06T09:00:00Z" }));
    return root;
  }

  it("a stale lock (its pulumi is gone): pulumi cancel, said in one line, then up", () => {
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
    const result = runScript(lockedProject(Number(dead)), "scripts/up.sh", ["dev", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`fluvio-spu: removed the stale lock of a pulumi that is gone \\(pid ${dead} on ${hostname()}, since 2026-12-06T09:00:00Z\\): pulumi cancel --stack dev --yes`));
    expect(pulumiCalls(tools.calls())).toContain("cancel --stack dev --yes");
    expect(pulumiCalls(tools.calls()).at(-1)).toBe("up --stack dev --yes");
  });

  it("a lock whose pulumi still runs, or taken on another machine: stops (exit 4) with the command, never cancels", () => {
    for (const root of [lockedProject(process.pid), lockedProject(1, "build-server-7")]) {
      const tools = fakeTools({ images: [...ALL_DEFAULT_IMAGES] });
      const result = runScript(root, "scripts/up.sh", ["dev", "--yes"], tools);
      expect(result.status).toBe(4);
      expect(result.lines.at(-1)).toMatch(/^fluvio-spu: stack dev is locked since 2026-12-06T09:00:00Z .*(still runs|taken on build-server-7).*: pulumi cancel --stack dev --yes$/);
      expect(pulumiCalls(tools.calls())).not.toContain("cancel --stack dev --yes");
      expect(pulumiCalls(tools.calls()).filter((call) => call.startsWith("up "))).toEqual([]);
    }
  });
});

describe("npm run down -- <stack> [--purge]", () => {
  const volume = (name: string, cluster: string, stack: string) => ({ name, labels: { [LABELS.cluster]: cluster, [LABELS.stack]: stack, [LABELS.node]: "spu-5001" } });
  const volumes = [
    volume("fluvio-dev-spu-5001-data", "fluvio-dev", "dev"),
    volume("fluvio-dev-sc-metadata", "fluvio-dev", "dev"),
    volume("fluvio-dev2-spu-5001-data", "fluvio-dev2", "dev2"),
    volume("orders-dev-spu-5001-data", "orders-dev", "dev"),
    { name: "unlabelled", labels: {} },
  ];

  it("destroys on the backend up used, passing flags on, and keeps every volume without --purge", () => {
    const root = scriptProject();
    const tools = fakeTools({ volumes });
    const result = runScript(root, "scripts/down.sh", ["dev", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    expect(pulumiCalls(tools.calls())).toEqual(["destroy --stack dev --yes"]);
    expect(tools.calls()[0]!.env).toMatchObject({ PULUMI_BACKEND_URL: `file://${root}/.pulumi-state`, PULUMI_CONFIG_PASSPHRASE: "fluvio-spu-local-dev" });
    expect(dockerCalls(tools.calls())).toEqual([]);
    expect(tools.engine().volumes).toHaveLength(volumes.length);
  });

  it("--purge --yes: after destroy, lists and removes exactly this stack's cluster volumes, by both labels", () => {
    const tools = fakeTools({ volumes });
    const result = runScript(scriptProject(), "scripts/down.sh", ["dev", "--purge", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    expect(pulumiCalls(tools.calls())).toEqual(["destroy --stack dev --yes"]);
    expect(result.stderr).toContain(`fluvio-spu: purge removes 2 volume(s) labelled ${LABELS.cluster}=fluvio-dev, ${LABELS.stack}=dev, and their data for good:\n  fluvio-dev-spu-5001-data\n  fluvio-dev-sc-metadata\n`);
    expect(result.stdout).toBe("removed fluvio-dev-spu-5001-data\nremoved fluvio-dev-sc-metadata\n");
    expect(tools.engine().volumes.map((entry) => entry.name)).toEqual(["fluvio-dev2-spu-5001-data", "orders-dev-spu-5001-data", "unlabelled"]);
    const order = tools.calls().map((call) => `${call.tool} ${call.argv[0]}`);
    expect(order.indexOf("pulumi destroy")).toBeLessThan(order.indexOf("docker volume"));
  });

  it("--purge without --yes and without a terminal removes nothing and says to add --yes", () => {
    const tools = fakeTools({ volumes });
    const result = runScript(scriptProject(), "scripts/down.sh", ["dev", "--purge"], tools);
    expect(result.status).toBe(2);
    expect(result.lines.at(-1)).toBe("fluvio-spu: not removing without --yes: no terminal to ask on");
    expect(tools.engine().volumes).toHaveLength(volumes.length);
  });

  it("--purge on a Kubernetes stack says where the data is and touches no Docker volume", () => {
    const tools = fakeTools({ up: false, volumes });
    const result = runScript(scriptProject(), "scripts/down.sh", ["prod", "--purge", "--yes"], tools);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/stack prod runs on Kubernetes, where the data stays in the namespace's PersistentVolumeClaims/);
    expect(dockerCalls(tools.calls())).toEqual([]);
    expect(pulumiCalls(tools.calls())).toEqual(["destroy --stack prod --yes"]);
  });

  it("--purge with no engine stops before destroying anything", () => {
    const tools = fakeTools({ up: false, volumes });
    const result = runScript(scriptProject(), "scripts/down.sh", ["dev", "--purge", "--yes"], tools);
    expect(result.status).toBe(3);
    expect(result.lines).toHaveLength(1);
    expect(pulumiCalls(tools.calls())).toEqual([]);
  });

  it("the purge script matches the labels the Docker target writes", () => {
    const script = readFileSync(join(PROJECT_ROOT, "scripts/purge-volumes.sh"), "utf8");
    expect(script).toContain(`CLUSTER_LABEL="${LABELS.cluster}"`);
    expect(script).toContain(`STACK_LABEL="${LABELS.stack}"`);
    expect(JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).scripts.down).toBe("bash scripts/down.sh");
  });
});

function exporterFiles(): string[] {
  return spawnSync("ls", [join(PROJECT_ROOT, "dist/exporter")], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((name) => name.endsWith(".js"))
    .map((name) => `dist/exporter/${name}`)
    .sort();
}
