/**
 * The pure decisions behind a second `up` that changes nothing and an interrupted `up` that
 * converges: the order ports are declared in (src/targets/docker/port-order.ts), what the engine
 * reports (src/preflight/containers.ts), orphans against the state (src/preflight/orphans.ts),
 * and which locks and plugin processes `npm run up` may clear (src/deploy/recover.ts). The real
 * engine runs them in test/engine/docker.test.ts and test/engine/faults.test.ts.
 */
import { describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../src/config/schema";
import { judgeLock, plannedContainers, stoppedNodes, strayPlugins, type StackLock } from "../../src/deploy/recover";
import { stateEnvironment } from "../../src/deploy/state";
import { planCluster } from "../../src/plan/plan";
import { LABELS } from "../../src/plan/layout";
import { demuxLogStream, parseInspect, parsePortMap, type LiveContainer } from "../../src/preflight/containers";
import { componentOf, findOrphans, orphanLine, parseStackExport, removeCommand } from "../../src/preflight/orphans";
import { providerPortOrder } from "../../src/targets/docker/port-order";

const binding = (ip: string, port = 9002) => ({ internal: port, external: port, ip, protocol: "tcp" });

describe("providerPortOrder: ports in the order the Docker provider reads them back", () => {
  it("a running container that publishes exactly the plan: its own order (Docker 20.10 reports one port's bindings reversed)", () => {
    const declared = [binding("127.0.0.1"), binding("172.17.0.1")];
    const live = parsePortMap({ "9002/tcp": [{ HostIp: "172.17.0.1", HostPort: "9002" }, { HostIp: "127.0.0.1", HostPort: "9002" }] });
    expect(providerPortOrder(declared, live).map((port) => port.ip)).toEqual(["172.17.0.1", "127.0.0.1"]);
  });

  it("by internal port ascending, as the provider sorts them; plan order within a port when nothing runs", () => {
    const declared = [binding("127.0.0.1", 9103), binding("172.17.0.1", 9103), binding("127.0.0.1", 9002), binding("172.17.0.1", 9002)];
    expect(providerPortOrder(declared, undefined).map((port) => `${port.internal} ${port.ip}`)).toEqual(["9002 127.0.0.1", "9002 172.17.0.1", "9103 127.0.0.1", "9103 172.17.0.1"]);
  });

  it("a real change (another port or address) keeps plan order: the container is replaced anyway", () => {
    const declared = [binding("127.0.0.1", 9012), binding("172.17.0.1", 9012)];
    const live = parsePortMap({ "9002/tcp": [{ HostIp: "172.17.0.1", HostPort: "9002" }, { HostIp: "127.0.0.1", HostPort: "9002" }] });
    expect(providerPortOrder(declared, live).map((port) => port.ip)).toEqual(["127.0.0.1", "172.17.0.1"]);
    expect(providerPortOrder(declared, []).map((port) => port.ip)).toEqual(["127.0.0.1", "172.17.0.1"]);
  });
});

describe("what the engine reports", () => {
  it("an inspect answer: name without its slash, labels, state, bindings in the engine's order", () => {
    const container = parseInspect({
      Id: "abc123",
      Name: "/fluvio-dev-sc",
      Config: { Image: "fluvio-spu/fluvio:0.18.1", Labels: { [LABELS.cluster]: "fluvio-dev" } },
      State: { Status: "exited" },
      NetworkSettings: { Ports: { "9002/tcp": [{ HostIp: "172.17.0.1", HostPort: "9002" }], "9003/tcp": null } },
    });
    expect(container).toEqual({ id: "abc123", name: "fluvio-dev-sc", image: "fluvio-spu/fluvio:0.18.1", labels: { [LABELS.cluster]: "fluvio-dev" }, state: "exited", bindings: [binding("172.17.0.1")] });
    expect(parseInspect({ message: "No such container" })).toBeUndefined();
  });

  it("a log stream without its frame headers, whatever their size bytes", () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxLogStream(Buffer.concat([frame(1, "registered\n"), frame(2, "x".repeat(200) + "\n")]))).toBe(`registered\n${"x".repeat(200)}\n`);
    expect(demuxLogStream(Buffer.from("plain text\n"))).toBe("plain text\n");
  });
});

describe("orphans: the cluster's containers the state does not track", () => {
  const plan = planCluster(parseClusterSpec({ environment: "dev", spus: 2, metrics: { enabled: false } }), { stack: "dev" });
  const labels = (node: string, cluster = plan.namePrefix, stack = "dev") => ({ [LABELS.cluster]: cluster, [LABELS.stack]: stack, [LABELS.node]: node });
  const live = (name: string, id: string, node: string, extra: Partial<LiveContainer> = {}): LiveContainer => ({ id, name, image: plan.images.fluvio, labels: labels(node), state: "running", bindings: [], ...extra });
  const exported = {
    version: 3,
    deployment: {
      resources: [
        { urn: "urn:pulumi:dev::fluvio-spu::fluvio:index:SpuCluster::fluvio", type: "fluvio:index:SpuCluster" },
        { urn: "urn:pulumi:dev::fluvio-spu::fluvio:index:SpuCluster$docker:index/container:Container::fluvio-sc", type: "docker:index/container:Container", id: "sc-id", outputs: { name: "fluvio-dev-sc" } },
      ],
      pending_operations: [{ type: "creating", resource: { urn: "urn:pulumi:dev::fluvio-spu::fluvio:index:SpuCluster$docker:index/container:Container::fluvio-spu-5001", type: "docker:index/container:Container", inputs: { name: "fluvio-dev-spu-5001" } } }],
    },
  };

  it("reads the export: resources with their engine names, pending operations; a stack never deployed has neither", () => {
    const state = parseStackExport(JSON.stringify(exported));
    expect(state.resources.map((resource) => [resource.type, resource.id, resource.name ?? "-"])).toEqual([
      ["fluvio:index:SpuCluster", "", "-"],
      ["docker:index/container:Container", "sc-id", "fluvio-dev-sc"],
    ]);
    expect(state.pending).toEqual([{ urn: expect.stringContaining("fluvio-spu-5001"), type: "docker:index/container:Container", operation: "creating", name: "fluvio-dev-spu-5001" }]);
    expect(parseStackExport('{"version":3,"deployment":{}}')).toEqual({ resources: [], pending: [] });
    expect(() => parseStackExport("[]")).toThrow(/no JSON object/);
  });

  it("an untracked container of the plan is an orphan safe to remove; another stack's, a tracked one and a stranger's are told apart", () => {
    const state = parseStackExport(exported);
    const component = componentOf(state);
    expect(component).toEqual({ urn: "urn:pulumi:dev::fluvio-spu::fluvio:index:SpuCluster::fluvio", name: "fluvio" });
    const found = findOrphans(
      [
        live("fluvio-dev-sc", "sc-id", "sc"),
        live("fluvio-dev-spu-5001", "a".repeat(64), "spu-5001"),
        live("fluvio-dev-spu-5009", "b".repeat(64), "spu-5009"),
        { ...live("fluvio-dev-spu-5002", "c".repeat(64), "spu-5002"), labels: labels("spu-5002", plan.namePrefix, "dev2") },
      ],
      state,
      { cluster: plan.namePrefix, stack: "dev" },
      plannedContainers(plan),
      component?.name,
    );
    expect(found.map((orphan) => [orphan.container.name, orphan.planned, orphan.resourceName])).toEqual([
      ["fluvio-dev-spu-5001", true, "fluvio-spu-5001"],
      ["fluvio-dev-spu-5009", false, "fluvio-spu-5009"],
    ]);
    expect(removeCommand(found)).toBe("docker rm -f fluvio-dev-spu-5001 fluvio-dev-spu-5009");
    expect(orphanLine(found[0]!, "dev", component)).toBe(
      `container fluvio-dev-spu-5001 (${"a".repeat(12)}, running) is not in stack dev's state: a container the plan declares, left by an interrupted up; remove it with \`docker rm -f fluvio-dev-spu-5001\` (named volumes stay) and run up again, or adopt it with \`pulumi import --stack dev --yes --protect=false --parent 'fluvio=urn:pulumi:dev::fluvio-spu::fluvio:index:SpuCluster::fluvio' docker:index/container:Container fluvio-spu-5001 ${"a".repeat(64)}\``,
    );
    expect(orphanLine(found[1]!, "dev", component)).toMatch(/is not what the plan declares/);
  });

  it("the component is found under its package token and under the token older stacks hold", () => {
    const resource = (type: string, name: string) => ({ urn: `urn:pulumi:dev::fluvio-spu::${type}::${name}`, type, id: "", name: "" });
    expect(componentOf({ resources: [resource("fluvio-spu:index:SpuCluster", "fluvio")], pending: [] })).toEqual({ urn: "urn:pulumi:dev::fluvio-spu::fluvio-spu:index:SpuCluster::fluvio", name: "fluvio" });
    expect(componentOf({ resources: [resource("fluvio:index:SpuCluster", "old")], pending: [] })?.name).toBe("old");
    expect(componentOf({ resources: [resource("docker:index/container:Container", "x")], pending: [] })).toBeUndefined();
  });

  it("a container of the plan running another image is not removed on its own", () => {
    const [orphan] = findOrphans([live("fluvio-dev-spu-5001", "d".repeat(64), "spu-5001", { image: "someone/else:1" })], parseStackExport(exported), { cluster: plan.namePrefix, stack: "dev" }, plannedContainers(plan));
    expect(orphan!.planned).toBe(false);
  });

  it("stopped nodes: tracked SC or SPU not running; a registration job's exit is no stop", () => {
    const state = parseStackExport({ deployment: { resources: ["sc", "spu", "job"].map((id) => ({ urn: `u-${id}`, type: "docker:index/container:Container", id })) } });
    const stopped = stoppedNodes(
      [live("fluvio-dev-sc", "sc", "sc", { state: "exited" }), live("fluvio-dev-spu-5001", "spu", "spu-5001"), live("fluvio-dev-spu-5001-register", "job", "register-5001", { state: "exited" }), live("x", "untracked", "spu-5002", { state: "exited" })],
      state,
    );
    expect(stopped.map((container) => container.name)).toEqual(["fluvio-dev-sc"]);
  });
});

describe("npm run up's recovery decisions", () => {
  const lock: StackLock = { file: "/s/.pulumi/locks/organization/fluvio-spu/dev/1.json", pid: 4242, hostname: "laptop", username: "me", timestamp: "2026-12-06T09:00:00Z" };

  it("a lock is stale only when taken on this machine by a process that is gone", () => {
    expect(judgeLock(lock, "laptop", () => false)).toEqual({ action: "cancel", lock });
    expect(judgeLock(lock, "laptop", () => true)).toMatchObject({ action: "stop", why: "pulumi (pid 4242) still runs" });
    expect(judgeLock(lock, "ci-runner", () => false)).toMatchObject({ action: "stop", why: expect.stringContaining("taken on laptop") });
  });

  it("stray plugins: orphaned pulumi plugins started for this project, nothing else", () => {
    const processes = [
      { pid: 10, ppid: 1, program: "pulumi-resource-docker", cwd: "/p/dist" },
      { pid: 11, ppid: 1, program: "pulumi-language-nodejs", cwd: "/p" },
      { pid: 12, ppid: 900, program: "pulumi-resource-docker", cwd: "/p" },
      { pid: 13, ppid: 1, program: "pulumi-resource-docker", cwd: "/other" },
      { pid: 14, ppid: 1, program: "pulumi-resource-docker", cwd: "/p2" },
      { pid: 15, ppid: 1, program: "pulumi", cwd: "/p" },
    ];
    expect(strayPlugins(processes, "/p").map((entry) => entry.pid)).toEqual([10, 11]);
  });

  it("the state is read on npm run up's backend, with its passphrase default and the toolchain first", () => {
    const env = stateEnvironment("/p", { PATH: "/usr/bin" }, true);
    expect(env).toMatchObject({ PULUMI_BACKEND_URL: "file:///p/.pulumi-state", PULUMI_CONFIG_PASSPHRASE: "fluvio-spu-local-dev", PATH: "/p/.toolchain/bin:/usr/bin", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" });
    const theirs = stateEnvironment("/p", { PULUMI_BACKEND_URL: "s3://team/state", PATH: "/usr/bin" }, false);
    expect(theirs.PULUMI_BACKEND_URL).toBe("s3://team/state");
    expect(theirs.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(theirs.PATH).toBe("/usr/bin");
  });
});
