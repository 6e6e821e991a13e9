import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planCluster } from "../../src/plan/plan";
import type { ClusterPlan } from "../../src/plan/types";
import { askEngine, dockerSocketPath, parseEngineContainers } from "../../src/preflight/docker";
import { engineGet, parseHttpResponse } from "../../src/preflight/engine-http";
import { checkPorts, formatConflicts, type PortCheckReport } from "../../src/preflight/index";
import { describeHolder, findConflicts, fixFor, type MatchInput } from "../../src/preflight/match";
import type { Prober } from "../../src/preflight/look-further";
import { findSocketOwners } from "../../src/preflight/proc";
import { commandFromCmdline, formatIpv6, ipv4FromHex, ipv6FromHex, parseProcNetTcp, socketInode } from "../../src/preflight/proc-parse";
import type { Listener, PublishedPort, SocketOwner } from "../../src/preflight/types";

// Recorded on a Linux host: listeners on 0.0.0.0:2024 and 127.0.0.1:18094, plus both ends of a connection to 18094.
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1667 1 00000000401b1ddd 100 0 0 10 0
   1: 0100007F:46AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12642 1 00000000839355d7 100 0 0 10 0
   2: 0100007F:46AE 0100007F:BE7C 01 00000000:00000000 00:00000000 00000000     0        0 12644 1 000000006a1354c1 20 0 0 10 -1
   3: 0100007F:BE7C 0100007F:46AE 01 00000000:00000000 00:00000000 00000000     0        0 12643 2 00000000740e7ea8 20 0 0 10 -1
`;

// Recorded: listeners on ::1:18090, [::]:18091 (v6 only), ::ffff:127.0.0.1:18092 and fd00::2:18093, and a TIME_WAIT row.
const PROC_NET_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:46AA 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12638 1 000000002c28b269 100 0 0 10 0
   1: 00000000000000000000000000000000:46AB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12639 1 00000000c5da7b70 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:46AC 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12640 1 000000009c51981e 100 0 0 10 0
   3: 000000FD000000000000000002000000:46AD 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12641 1 00000000da8a55c3 100 0 0 10 0
   4: 00000000000000000000000001000000:46AA 00000000000000000000000001000000:C350 06 00000000:00000000 03:00000F9B 00000000     0        0 0 3 0000000000000000
`;

const CONFIG = { environment: "dev", spus: 2, ports: { public: "18000-18019", private: "18020-18039", metrics: "18040-18059" } } as const;

function devPlan(overrides: Record<string, unknown> = {}): ClusterPlan {
  return planCluster({ ...CONFIG, ...overrides }, { stack: "preflight" });
}

describe("parsing /proc/net/tcp and tcp6", () => {
  it("reads IPv4 listeners with byte-reversed addresses, hex ports, uid and inode", () => {
    expect(parseProcNetTcp(PROC_NET_TCP, 4)).toEqual([
      { address: "0.0.0.0", port: 2024, inode: 1667, uid: 0 },
      { address: "127.0.0.1", port: 18094, inode: 12642, uid: 1000 },
    ]);
  });

  it("ignores every row that is not LISTEN (0A): connections, TIME_WAIT, the header", () => {
    const states = parseProcNetTcp(PROC_NET_TCP6, 6).map((row) => row.inode);
    expect(states).not.toContain(0);
    expect(parseProcNetTcp(PROC_NET_TCP.split("\n").slice(0, 1).join("\n"), 4)).toEqual([]);
    expect(parseProcNetTcp("", 4)).toEqual([]);
  });

  it("reads IPv6 listeners as four little-endian words: ::1, ::, v4-mapped and a global address", () => {
    expect(parseProcNetTcp(PROC_NET_TCP6, 6)).toEqual([
      { address: "::1", port: 18090, inode: 12638, uid: 0 },
      { address: "::", port: 18091, inode: 12639, uid: 0 },
      { address: "::ffff:127.0.0.1", port: 18092, inode: 12640, uid: 0 },
      { address: "fd00::2", port: 18093, inode: 12641, uid: 0 },
    ]);
  });

  it("skips malformed rows instead of guessing", () => {
    const text = "   0: ZZZZ:2332 00000000:0000 0A 0 0 0 0 0 5\n   1: 0100007F:2332 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 77 1\n";
    expect(parseProcNetTcp(text, 4)).toEqual([{ address: "127.0.0.1", port: 9010, inode: 77, uid: 0 }]);
  });

  it("decodes addresses as the kernel prints them", () => {
    expect(ipv4FromHex("0100007F")).toBe("127.0.0.1");
    expect(ipv4FromHex("00000000")).toBe("0.0.0.0");
    expect(ipv4FromHex("0100A8C0")).toBe("192.168.0.1");
    expect(ipv4FromHex("nothex!!")).toBeUndefined();
    expect(ipv6FromHex("B80D0120000000000000000001000000")).toBe("2001:db8::1");
    expect(ipv6FromHex("0100")).toBeUndefined();
  });

  it("writes IPv6 text by RFC 5952: the longest zero run becomes ::, a single zero group stays", () => {
    const bytes = (groups: number[]): number[] => groups.flatMap((group) => [group >> 8, group & 0xff]);
    expect(formatIpv6(bytes([1, 0, 0, 2, 0, 0, 0, 3]))).toBe("1:0:0:2::3");
    expect(formatIpv6(bytes([1, 0, 2, 3, 4, 5, 6, 7]))).toBe("1:0:2:3:4:5:6:7");
    expect(formatIpv6(bytes([0, 0, 0, 0, 0, 0, 0, 0]))).toBe("::");
    expect(formatIpv6(bytes([0xfe80, 0, 0, 0, 0xfc, 0xff, 0xfe00, 1]))).toBe("fe80::fc:ff:fe00:1");
  });

  it("finds the inode in an fd link only when it is a socket", () => {
    expect(socketInode("socket:[12642]")).toBe(12642);
    expect(socketInode("pipe:[12642]")).toBeUndefined();
    expect(socketInode("/dev/null")).toBeUndefined();
  });

  it("makes a command from cmdline: basename of the first argument, then the arguments, shortened", () => {
    expect(commandFromCmdline("/usr/bin/redis-server\0*:6379\0")).toBe("redis-server *:6379");
    expect(commandFromCmdline("")).toBe("");
    const long = commandFromCmdline(`/usr/bin/node\0-e\0${"x".repeat(200)}\0`);
    expect(long).toHaveLength(80);
    expect(long.endsWith("…")).toBe(true);
  });
});

/** A fake /proc: net tables, and per pid its fd links and cmdline (no `fd` dir: unreadable, like another user's). */
interface FakeProcess {
  cmdline: string;
  sockets?: number[];
}

function fakeProc(tcp: string, tcp6: string | undefined, processes: Record<number, FakeProcess>): string {
  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-proc-"));
  mkdirSync(join(root, "net"));
  writeFileSync(join(root, "net", "tcp"), tcp);
  if (tcp6 !== undefined) writeFileSync(join(root, "net", "tcp6"), tcp6);
  mkdirSync(join(root, "self"));
  for (const [pid, process] of Object.entries(processes)) {
    mkdirSync(join(root, pid));
    writeFileSync(join(root, pid, "cmdline"), process.cmdline);
    if (process.sockets === undefined) continue;
    mkdirSync(join(root, pid, "fd"));
    symlinkSync("/dev/null", join(root, pid, "fd", "0"));
    symlinkSync("pipe:[1]", join(root, pid, "fd", "1"));
    process.sockets.forEach((inode, index) => symlinkSync(`socket:[${inode}]`, join(root, pid, "fd", String(index + 3))));
  }
  return root;
}

/** One LISTEN row of /proc/net/tcp for `address` (hex, as the kernel prints it) and port. */
function tcpRow(hexAddress: string, port: number, inode: number, uid = 0): string {
  const local = `${hexAddress}:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const remote = `${"0".repeat(hexAddress.length)}:0000`;
  return `   0: ${local} ${remote} 0A 00000000:00000000 00:00000000 00000000 ${uid} 0 ${inode} 1 0000000000000000 100 0 0 10 0`;
}

const HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const ANY4 = "00000000";
const LOOPBACK6 = "00000000000000000000000001000000";

/**
 * A prober that agrees with a fake tree's tables, as the kernel agrees with its own: a port
 * listened on there is one a bind is refused on. (The real prober binds on this host, whose
 * kernel knows nothing of the fake listeners.)
 */
function kernelOf(root: string): Prober {
  const listened = new Set(
    (["tcp", "tcp6"] as const).flatMap((file) => {
      const text = existsSync(join(root, "net", file)) ? readFileSync(join(root, "net", file), "utf8") : "";
      return parseProcNetTcp(text, file === "tcp" ? 4 : 6).map((listener) => listener.port);
    }),
  );
  return async (ports) => ports.map((port) => (listened.has(port) ? { port, state: "taken", addresses: ["::"] } : { port, state: "free" }));
}

describe("a fake /proc tree: inode → pid → cmdline", () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const tree = (...args: Parameters<typeof fakeProc>): string => {
    const root = fakeProc(...args);
    roots.push(root);
    return root;
  };

  it("names the process holding a planned port, over IPv4 and IPv6, and ignores ports the plan does not bind on the host", async () => {
    const plan = devPlan();
    const tcp = [HEADER, tcpRow(ANY4, 18000, 501), tcpRow(ANY4, 18020, 502), tcpRow(ANY4, 2024, 503)].join("\n");
    const tcp6 = [HEADER, tcpRow(LOOPBACK6, 18001, 601)].join("\n");
    const root = tree(tcp, tcp6, {
      4242: { cmdline: "/usr/bin/redis-server\0*:18000\0", sockets: [501, 502] },
      77: { cmdline: "/usr/local/bin/node\0server.js\0", sockets: [601] },
      12: { cmdline: "sshd\0", sockets: [503] },
    });
    const report = await checkPorts(plan, { procRoot: root, docker: false, probe: kernelOf(root) });
    expect(report.checked).toEqual(plan.hostPorts);
    expect(report.sources).toEqual({ proc: true, docker: "not asked (docker: false)" });
    expect(report.conflicts.map((conflict) => [conflict.port, conflict.wantedBy, conflict.holder])).toEqual([
      [18000, "SC public", { kind: "process", pid: 4242, command: "redis-server *:18000", address: "0.0.0.0" }],
      [18001, "SPU 5001 public", { kind: "process", pid: 77, command: "node server.js", address: "::1" }],
    ]);
  });

  it("reads the tables only to name holders: when every bind probe gets its port, nothing in them is consulted", async () => {
    const plan = devPlan();
    const root = tree([HEADER, tcpRow(ANY4, 18000, 501)].join("\n"), undefined, { 4242: { cmdline: "redis-server\0", sockets: [501] } });
    const probed: number[][] = [];
    const everyPortFree: Prober = async (ports) => {
      probed.push([...ports]);
      return ports.map((port) => ({ port, state: "free" }));
    };
    const report = await checkPorts(plan, { procRoot: root, docker: false, probe: everyPortFree });
    expect(probed).toEqual([plan.hostPorts]);
    expect(report.conflicts).toEqual([]);
    expect(report.sources.proc).toBe(true);
    expect(report.fallback?.probed).toBe(plan.hostPorts.length);
  });

  it("still reports a listener whose process it may not see (another user's fds), without a pid", async () => {
    const plan = devPlan();
    const root = tree([HEADER, tcpRow(ANY4, 18002, 701, 1000)].join("\n"), undefined, { 900: { cmdline: "postgres\0" } });
    const report = await checkPorts(plan, { procRoot: root, docker: false, probe: kernelOf(root) });
    expect(report.conflicts).toHaveLength(1);
    expect(report.conflicts[0]?.holder).toEqual({ kind: "unknown", address: "0.0.0.0" });
    expect(report.conflicts[0]?.message).toBe(
      "Port 18002 already in use by a process this user cannot see (listening on 0.0.0.0; run as root to name it): wanted by SPU 5002 public; pin another port with spus[1].publicPort (the SPU with id 5002) or move the range ports.public 18000-18019",
    );
  });

  it("reports one conflict per process even when it listens on both 0.0.0.0 and ::", async () => {
    const plan = devPlan();
    const root = tree([HEADER, tcpRow(ANY4, 18040, 801)].join("\n"), [HEADER, tcpRow("0".repeat(32), 18040, 802)].join("\n"), {
      55: { cmdline: "/opt/exporter\0", sockets: [801, 802] },
    });
    const report = await checkPorts(plan, { procRoot: root, docker: false, probe: kernelOf(root) });
    expect(report.conflicts.map((conflict) => [conflict.port, conflict.wantedBy, conflict.holder.pid, conflict.holder.address])).toEqual([
      [18040, "SPU 5001 metrics", 55, "0.0.0.0"],
    ]);
  });

  it("maps only the inodes asked for, and none when none is asked (no listener on a wanted port: no fd pass)", () => {
    const root = tree(HEADER, undefined, { 10: { cmdline: "a\0", sockets: [1, 2] }, 11: { cmdline: "/bin/b\0-x\0", sockets: [3] } });
    expect(findSocketOwners(root, new Set())).toEqual(new Map());
    expect(findSocketOwners(root, new Set([3, 99]))).toEqual(new Map([[3, { pid: 11, command: "b -x" }]]));
  });

  it("says so when the listener tables cannot be read, and finds nothing rather than failing", async () => {
    const report = await checkPorts(devPlan(), { procRoot: join(tmpdir(), "no-such-proc-root"), docker: false });
    expect(report.sources.proc).toBe(false);
    expect(report.conflicts).toEqual([]);
  });

  it("checks the given ports, and refuses a port the plan does not assign (a conflict must name who wants it)", async () => {
    const plan = devPlan();
    const root = tree([HEADER, tcpRow(ANY4, 18020, 901)].join("\n"), undefined, { 3: { cmdline: "nc\0-l\0", sockets: [901] } });
    const report = await checkPorts(plan, { procRoot: root, docker: false, ports: [18020, 18000, 18020], probe: kernelOf(root) });
    expect(report.checked).toEqual([18000, 18020]);
    expect(report.conflicts.map((conflict) => conflict.message)).toEqual([
      "Port 18020 already in use by nc -l (pid 3): wanted by SC private; pin another port with sc.privatePort or move the range ports.private 18020-18039",
    ]);
    await expect(checkPorts(plan, { procRoot: root, docker: false, ports: [18000, 18099], probe: kernelOf(root) })).rejects.toThrow(/18099 is not in the plan of stack preflight/);
  });
});

describe("Docker's published ports", () => {
  // The shape of GET /containers/json (Docker 20.10), trimmed to the fields preflight reads.
  const ENGINE_ANSWER: unknown = [
    {
      Id: "5e1f0c0ffee0123456789",
      Names: ["/web"],
      Labels: { "com.example": "x" },
      Ports: [
        { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 18001, Type: "tcp" },
        { IP: "::", PrivatePort: 80, PublicPort: 18001, Type: "tcp" },
        { IP: "0.0.0.0", PrivatePort: 53, PublicPort: 18002, Type: "udp" },
        { PrivatePort: 8080, Type: "tcp" },
      ],
    },
    {
      Id: "a1b2c3d4e5f6a1b2c3d4",
      Names: ["/fluvio-preflight-spu-5002"],
      Labels: { "fluvio-spu.cluster": "fluvio-preflight", "fluvio-spu.stack": "preflight", "fluvio-spu.node": "spu-5002" },
      Ports: [{ IP: "127.0.0.1", PrivatePort: 18002, PublicPort: 18002, Type: "tcp" }],
    },
  ];

  it("reads each container's TCP host ports, name and labels; skips UDP and unpublished ports", () => {
    expect(parseEngineContainers(ENGINE_ANSWER)).toEqual([
      { port: 18001, address: "0.0.0.0", container: "web", labels: { "com.example": "x" } },
      { port: 18001, address: "::", container: "web", labels: { "com.example": "x" } },
      { port: 18002, address: "127.0.0.1", container: "fluvio-preflight-spu-5002", labels: { "fluvio-spu.cluster": "fluvio-preflight", "fluvio-spu.stack": "preflight", "fluvio-spu.node": "spu-5002" } },
    ]);
    expect(() => parseEngineContainers({ message: "page not found" })).toThrow(/not a container list/);
  });

  it("asks the engine on DOCKER_HOST when it is a unix socket, and never a remote one", () => {
    expect(dockerSocketPath(undefined, undefined)).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(dockerSocketPath(undefined, "unix:///run/user/1000/docker.sock")).toEqual({ socketPath: "/run/user/1000/docker.sock" });
    expect(dockerSocketPath("/tmp/d.sock", "tcp://10.0.0.1:2375")).toEqual({ socketPath: "/tmp/d.sock" });
    expect(dockerSocketPath(undefined, "tcp://10.0.0.1:2375")).toEqual({ reason: expect.stringContaining("not a local unix socket") });
  });

  const plan = devPlan();
  const published = parseEngineContainers(ENGINE_ANSWER);
  const proxy = (pid: number): SocketOwner => ({ pid, command: "docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 18001 -container-ip 172.17.0.2" });
  const match = (input: Partial<MatchInput>): ReturnType<typeof findConflicts> =>
    findConflicts({ plan, ports: plan.hostPorts, listeners: [], owners: new Map(), published: [], ignoreOwnContainers: true, ...input });
  const listener = (port: number, inode: number, address = "0.0.0.0"): Listener => ({ address, port, inode, uid: 0 });

  it("reports the container, not docker-proxy, when a docker-proxy process holds the port", () => {
    const conflicts = match({ published, listeners: [listener(18001, 1), listener(18001, 2, "::")], owners: new Map([[1, proxy(10)], [2, proxy(11)]]) });
    expect(conflicts.map((conflict) => conflict.message)).toEqual([
      "Port 18001 already in use by Docker container web (published on 0.0.0.0): wanted by SPU 5001 public; pin another port with spus[0].publicPort (the SPU with id 5001) or move the range ports.public 18000-18019",
    ]);
    expect(conflicts[0]?.holder).toEqual({ kind: "container", container: "web", address: "0.0.0.0" });
  });

  it("counts Docker's answer on its own: a port published through NAT only (no listener) is a conflict", () => {
    expect(match({ published }).map((conflict) => [conflict.port, conflict.holder.container])).toEqual([[18001, "web"]]);
  });

  it("does not report the cluster's own containers, nor the docker-proxy listener for their port (a re-deploy passes)", () => {
    const owners = new Map([[5, { pid: 20, command: "docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 18002" }]]);
    const own = published.filter((entry) => entry.container.startsWith("fluvio-preflight"));
    expect(match({ published: own, listeners: [listener(18002, 5, "127.0.0.1")], owners })).toEqual([]);
    expect(match({ published: own, listeners: [listener(18002, 6, "127.0.0.1")] })).toEqual([]);
  });

  it("reports the cluster's own containers when told not to ignore them", () => {
    const conflicts = match({ published, ignoreOwnContainers: false });
    expect(conflicts.map((conflict) => [conflict.port, conflict.holder.container])).toEqual([
      [18001, "web"],
      [18002, "fluvio-preflight-spu-5002"],
    ]);
  });

  it("tells another cluster's containers from its own by the label value, not by its presence", () => {
    const other: PublishedPort = { port: 18000, address: "127.0.0.1", container: "fluvio-staging-sc", labels: { "fluvio-spu.cluster": "fluvio-staging" } };
    expect(match({ published: [other] }).map((conflict) => conflict.holder.container)).toEqual(["fluvio-staging-sc"]);
  });

  it("still reports a real process on a port the cluster's own container publishes", () => {
    const own = published.filter((entry) => entry.container.startsWith("fluvio-preflight"));
    const owners = new Map([[7, { pid: 30, command: "python3 -m http.server 18002" }]]);
    expect(match({ published: own, listeners: [listener(18002, 7, "::")], owners }).map((conflict) => conflict.holder)).toEqual([
      { kind: "process", pid: 30, command: "python3 -m http.server 18002", address: "::" },
    ]);
  });

  it("reports docker-proxy as a process when the engine did not answer (the container is unknown)", () => {
    const conflicts = match({ listeners: [listener(18001, 1)], owners: new Map([[1, proxy(10)]]) });
    expect(conflicts.map((conflict) => [conflict.holder.kind, conflict.holder.pid])).toEqual([["process", 10]]);
  });

  describe("through a fake engine on a unix socket", () => {
    const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-engine-"));
    const socketPath = join(dir, "docker.sock");
    let engine: Server;
    const paths: string[] = [];
    beforeAll(async () => {
      engine = createServer((req, res) => {
        paths.push(req.url ?? "");
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ENGINE_ANSWER));
      });
      await new Promise<void>((resolve) => engine.listen(socketPath, resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => engine.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    it("asks GET /containers/json and reports the foreign container", async () => {
      const report = await checkPorts(plan, { procRoot: join(dir, "no-proc"), docker: { socketPath } });
      expect(paths).toContain("/containers/json");
      expect(report.sources).toEqual({ proc: false, docker: true });
      expect(report.conflicts.map((conflict) => [conflict.port, conflict.holder.kind, conflict.holder.container])).toEqual([[18001, "container", "web"]]);
    });

    it("gives up on an engine that does not answer in time, or answers with an error, and says so", async () => {
      const silentPath = join(dir, "silent.sock");
      const failingPath = join(dir, "failing.sock");
      const silent = createServer(() => undefined);
      const failing = createServer((_req, res) => res.writeHead(500).end('{"message":"daemon is shutting down"}'));
      await Promise.all([new Promise<void>((resolve) => silent.listen(silentPath, resolve)), new Promise<void>((resolve) => failing.listen(failingPath, resolve))]);
      try {
        expect(await askEngine(silentPath, 100)).toEqual({ ok: false, reason: `the Docker engine at ${silentPath} did not answer: no answer within 100 ms` });
        expect(await askEngine(failingPath)).toEqual({ ok: false, reason: `the Docker engine at ${failingPath} answered HTTP 500: {"message":"daemon is shutting down"}` });
      } finally {
        silent.closeAllConnections();
        await Promise.all([new Promise((resolve) => silent.close(resolve)), new Promise((resolve) => failing.close(resolve))]);
      }
    });

    it("reads the engine's answer as HTTP/1.0 from node:net: whole, chunked, or refused as not HTTP", async () => {
      expect(parseHttpResponse(Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[{"Id":"a"}]\n'))).toEqual({ status: 200, body: '[{"Id":"a"}]\n' });
      expect(parseHttpResponse(Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n2;x=y\r\n,3\r\n1\r\n]\r\n0\r\n\r\n"))).toEqual({ status: 200, body: "[1,2,3]" });
      expect(parseHttpResponse(Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n[1,2"))).toBe("the answer's chunked body is cut short");
      expect(parseHttpResponse(Buffer.from("SSH-2.0-OpenSSH_9.2\r\n\r\n"))).toBe('the answer is not HTTP ("SSH-2.0-OpenSSH_9.2")');
      expect(parseHttpResponse(Buffer.alloc(0))).toBe("the connection closed without an answer");
      // Node's own server, asked in HTTP/1.0, answers and closes: the whole list arrives.
      expect(await engineGet(socketPath, "/containers/json", 1_000)).toEqual({ status: 200, body: JSON.stringify(ENGINE_ANSWER) });
    });

    it("takes an answer whose Content-Length is met even when the engine keeps the connection open", async () => {
      const openPath = join(dir, "keeps-open.sock");
      const server = createNetServer((socket) => socket.once("data", () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]')));
      await new Promise<void>((resolve) => server.listen(openPath, resolve));
      try {
        // Waiting for the engine to close would run past the test's own time limit (5 s) to the 30 s idle timeout.
        expect(await engineGet(openPath, "/containers/json", 30_000)).toEqual({ status: 200, body: "[]" });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("goes on with /proc alone and says why when no engine answers", async () => {
      const report = await checkPorts(plan, { procRoot: join(dir, "no-proc"), docker: { socketPath: join(dir, "absent.sock") } });
      expect(report.sources.docker).toBe(`no Docker engine socket at ${join(dir, "absent.sock")}`);
      expect(report.conflicts).toEqual([]);
    });
  });
});

describe("messages and fixes", () => {
  it("names the pin field of the SC and of an SPU (by its index in id order and by its id), and the range to move", () => {
    const plan = devPlan();
    expect(fixFor(plan, { owner: "sc", role: "public" })).toBe("pin another port with sc.publicPort or move the range ports.public 18000-18019");
    expect(fixFor(plan, { owner: "spu-5002", role: "metrics" })).toBe(
      "pin another port with spus[1].metricsPort (the SPU with id 5002) or move the range ports.metrics 18040-18059",
    );
  });

  it("points at spus[k].nodePort for an SPU's NodePort, and at the range alone for the SC's (it has no pin)", () => {
    const plan = planCluster({ target: "kubernetes", environment: "prod", spus: 2 }, { stack: "preflight" });
    expect(fixFor(plan, { owner: "spu-5001", role: "nodePort" })).toBe("pin another port with spus[0].nodePort (the SPU with id 5001) or move the range ports.nodePort 30000-30085");
    expect(fixFor(plan, { owner: "sc", role: "nodePort" })).toBe("move the range ports.nodePort 30000-30085");
  });

  it("counts SPUs of a list in id order, and names the id so list users find it", () => {
    const plan = devPlan({ spus: [{ id: 7 }, { id: 3 }] });
    // The user's own index: SPU 7 is the first entry of their list, SPU 3 the second.
    expect(fixFor(plan, { owner: "spu-7", role: "public" })).toBe("pin another port with spus[0].publicPort (the SPU with id 7) or move the range ports.public 18000-18019");
    expect(fixFor(plan, { owner: "spu-3", role: "public" })).toBe("pin another port with spus[1].publicPort (the SPU with id 3) or move the range ports.public 18000-18019");
  });

  it("describes each kind of holder in a few words", () => {
    expect(describeHolder({ kind: "process", pid: 4242, command: "redis-server *:6379", address: "0.0.0.0" })).toBe("redis-server *:6379 (pid 4242)");
    expect(describeHolder({ kind: "process", pid: 4242 })).toBe("pid 4242");
    expect(describeHolder({ kind: "container", container: "web" })).toBe("Docker container web");
    expect(describeHolder({ kind: "unknown", address: "::" })).toBe("a process this user cannot see (listening on ::; run as root to name it)");
  });

  it("formats one line per conflict, as fluvio-ports check prints them", () => {
    const plan = devPlan();
    const conflicts = findConflicts({
      plan,
      ports: plan.hostPorts,
      listeners: [
        { address: "0.0.0.0", port: 18000, inode: 1, uid: 0 },
        { address: "::", port: 18041, inode: 2, uid: 0 },
      ],
      owners: new Map([
        [1, { pid: 4242, command: "redis-server *:18000" }],
        [2, { pid: 4243, command: "" }],
      ]),
      published: [],
      ignoreOwnContainers: true,
    });
    const report: PortCheckReport = { checked: plan.hostPorts, conflicts, sources: { proc: true, docker: true } };
    expect(formatConflicts(report).split("\n")).toEqual([
      "Port 18000 already in use by redis-server *:18000 (pid 4242): wanted by SC public; pin another port with sc.publicPort or move the range ports.public 18000-18019",
      "Port 18041 already in use by pid 4243: wanted by SPU 5002 metrics; pin another port with spus[1].metricsPort (the SPU with id 5002) or move the range ports.metrics 18040-18059",
    ]);
    expect(formatConflicts({ ...report, conflicts: [] })).toBe("");
  });
});
