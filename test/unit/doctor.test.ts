/**
 * Issue 12, part 4: what `fluvio-ports doctor` concludes from recorded observations of a Docker
 * stack — containers missing, exited or unhealthy, a bind failure in an SPU's log and who holds
 * that port now, registrations with stale endpoints or a failed job — and what it says to do.
 */
import { describe, expect, it } from "vitest";
import { planCluster } from "../../src";
import { logsSayBindFailed, diagnose, exitCodeOf, formatFindings, healthOf, type ObservedContainer } from "../../src/doctor/diagnose";
import { demuxLogs } from "../../src/doctor/observe";

const plan = planCluster({ environment: "dev", spus: 2 }, { stack: "dev" });
const [first, second] = plan.spus as [(typeof plan.spus)[number], (typeof plan.spus)[number]];

function healthy(): ObservedContainer[] {
  const job = (spu: typeof first): ObservedContainer => ({
    name: `${spu.host}-register`,
    state: "exited",
    status: "Exited (0) 5 minutes ago",
    command: `sh -c 'set -eu …' fluvio-spu-register ${spu.register.join(" ")}`,
    logs: `fluvio-spu: registered SPU ${spu.id}\n`,
  });
  return [
    { name: plan.sc.name, state: "running", status: "Up 6 minutes (healthy)", command: plan.sc.command.join(" ") },
    ...[first, second].flatMap((spu) => [
      { name: spu.host, state: "running", status: "Up 6 minutes (healthy)", command: spu.command.join(" "), logs: "" },
      { name: `${spu.host}-exporter`, state: "running", status: "Up 6 minutes (healthy)", command: spu.exporterCommand!.join(" ") },
      job(spu),
    ]),
  ];
}

describe("doctor's diagnosis", () => {
  it("a healthy stack: every line ok", () => {
    const findings = diagnose(plan, { containers: healthy(), heldPorts: [] });
    expect(findings.filter((finding) => finding.level === "problem")).toEqual([]);
    expect(findings.find((finding) => finding.subject === `SPU ${first.id} registration`)?.message).toBe(`registered with the plan's endpoints (public ${first.public}, local ${first.local}, private ${first.private})`);
  });

  it("an SPU that exited on a bind failure (Fluvio 0.18.1's real log: no port, exit 255): the planned ports, who holds one now, and the fix; no port read out of a timestamp", () => {
    const realLog = "2026-12-06T09:59:11.093522Z ERROR fluvio_spu::start: Error binding TcpListener: Address already in use (os error 98)\n";
    const containers = healthy().map((container) => (container.name === first.host ? { ...container, state: "exited", status: "Exited (255) 10 seconds ago", logs: realLog } : container));
    const findings = diagnose(plan, { containers, heldPorts: [{ port: first.ports.public, holder: "nginx (pid 4242)" }] });
    const text = formatFindings(findings);
    expect(text).toContain(`FAIL SPU ${first.id}: could not bind its ports (exit 255, Address already in use; Fluvio's log names no port): planned public ${first.ports.public}, private ${first.ports.private}; port ${first.ports.public} (public) is held by nginx (pid 4242)`);
    expect(text).not.toMatch(/port (9|11|59|93)\b/);
    expect(text).toMatch(new RegExp(`→ stop the holder, or pin another port with spus\\[0\\]\\.publicPort \\(the SPU with id ${first.id}\\) or move the range ports\\.public 9000-9100; then \`fluvio-ports plan --stack dev --record\``));
    expect(findings.filter((finding) => finding.subject === `port ${first.ports.public}`)).toEqual([]);
  });

  it("the same bind failure with nothing holding the ports now: start it again", () => {
    const containers = healthy().map((container) => (container.name === first.host ? { ...container, state: "restarting", status: "Restarting (255) 2 seconds ago", logs: "Error binding TcpListener: Address already in use (os error 98)\n" } : container));
    const text = formatFindings(diagnose(plan, { containers, heldPorts: [] }));
    expect(text).toContain(`nothing on the host holds them now`);
    expect(text).toContain(`→ \`docker start ${first.host}\``);
    expect(logsSayBindFailed("all fine at 12:00:59")).toBe(false);
  });

  it("registrations as the SC lists them: Online is ok, Offline is a problem with the fix, and an SPU the plan no longer has is named", () => {
    const registered = [
      { id: first.id, status: "Online" },
      { id: second.id, status: "Offline" },
      { id: 5099, status: "Offline" },
    ];
    const text = formatFindings(diagnose(plan, { containers: healthy(), heldPorts: [], registered }));
    expect(text).toMatch(new RegExp(`ok   SPU ${first.id} registration: registered with the plan's endpoints .*, Online`));
    expect(text).toContain(`FAIL SPU ${second.id} registration: registered but Offline: the SC hands clients its endpoints, and they cannot connect`);
    expect(text).toContain(`→ \`docker start ${second.host}\``);
    expect(text).toContain("FAIL SPU 5099 registration: registered (Offline) but no longer planned");
    expect(text).toContain("fluvio cluster spu unregister --id 5099");
    const unknown = formatFindings(diagnose(plan, { containers: healthy(), heldPorts: [], registered: { unavailable: "the SC did not answer" } }));
    expect(unknown).toContain("FAIL registrations: could not list the SPUs the SC holds (the SC did not answer)");
  });

  it("registrations: a failed job, and one with other endpoints than the plan's", () => {
    const containers = healthy().map((container) => {
      if (container.name === `${first.host}-register`) return { ...container, status: "Exited (1) 1 minute ago", logs: "fluvio-spu: the SC at x did not answer in 60 s; SPU 5001 is not registered\n" };
      if (container.name === `${second.host}-register`) return { ...container, command: container.command.replace(second.public, "localhost:9999") };
      return container;
    });
    const text = formatFindings(diagnose(plan, { containers, heldPorts: [] }));
    expect(text).toContain(`FAIL SPU ${first.id} registration: ${first.host}-register exited with 1: SPU ${first.id} is not registered (fluvio-spu: the SC at x did not answer in 60 s; SPU 5001 is not registered)`);
    expect(text).toContain(`docker rm ${first.host}-register`);
    expect(text).toContain(`FAIL SPU ${second.id} registration: ${second.host}-register registered SPU ${second.id} with other endpoints than the plan's`);
  });

  it("missing and unhealthy containers, a held port nobody logged, and a stack not deployed at all", () => {
    const containers = healthy().filter((container) => container.name !== `${second.host}-exporter`).map((container) => (container.name === plan.sc.name ? { ...container, status: "Up 1 minute (unhealthy)" } : container));
    const text = formatFindings(diagnose(plan, { containers, heldPorts: [{ port: second.ports.public, holder: "Docker container web (published on 0.0.0.0)" }] }));
    expect(text).toContain(`FAIL the SC: ${plan.sc.name} is running, unhealthy`);
    expect(text).toContain(`FAIL the exporter of SPU ${second.id}: no container ${second.host}-exporter`);
    expect(text).toContain(`FAIL port ${second.ports.public}: planned for this stack, held by Docker container web (published on 0.0.0.0)`);
    const none = diagnose(plan, { containers: [], heldPorts: [] });
    expect(none).toHaveLength(1);
    expect(none[0]!.message).toBe("is not deployed on this engine: no container carries the label fluvio-spu.cluster=fluvio-dev");
  });

  it("orphans (containers the stack's state does not track) are named with the commands that remove or adopt them, never called up and healthy", () => {
    const containers = healthy();
    const live = (name: string, node: string, state: string) => ({ id: `${name.length}`.padEnd(64, "f"), name, image: "fluvio", state, labels: { "fluvio-spu.node": node }, bindings: [] });
    const component = { urn: "urn:pulumi:dev::fluvio-spu::fluvio-spu:index:SpuCluster::fluvio", name: "fluvio" };
    const state = {
      orphans: [
        { container: live(first.host, first.key, "running"), planned: true, resourceName: `fluvio-${first.key}` },
        { container: live("fluvio-dev-spu-sync", "sync-registrations", "exited"), planned: true, resourceName: "fluvio-sync-registrations" },
      ],
      component,
    };
    const findings = diagnose(plan, { containers, heldPorts: [], state });
    const text = formatFindings(findings);
    expect(text).not.toContain(`ok   SPU ${first.id}: ${first.host} is up`);
    expect(text).toContain(`FAIL container ${first.host}: ${state.orphans[0]!.container.id.slice(0, 12)}, running, is not in stack dev's state: a container the plan declares, left by an interrupted up; the next \`pulumi up\` stops on it`);
    expect(text).toContain(`→ \`npm run up -- dev\` removes it and converges; by hand \`docker rm -f ${first.host}\` (named volumes stay), or adopt it with \`pulumi import --stack dev --yes --protect=false --parent 'fluvio=${component.urn}' docker:index/container:Container fluvio-${first.key} ${state.orphans[0]!.container.id}\``);
    expect(text).toContain("FAIL container fluvio-dev-spu-sync:");
    expect(findings.filter((finding) => finding.level === "problem")).toHaveLength(2);
  });

  it("a state that could not be read is said, never taken for fine", () => {
    const findings = diagnose(plan, { containers: healthy(), heldPorts: [], state: { unavailable: "pulumi could not be run (spawn pulumi ENOENT)" } });
    expect(findings.filter((finding) => finding.level === "problem")).toEqual([]);
    expect(formatFindings(findings)).toContain("--   state: not compared with stack dev's Pulumi state (pulumi could not be run (spawn pulumi ENOENT)): containers it does not track (orphans) were not looked for");
  });

  it("reads Docker's status lines and log frames", () => {
    expect(exitCodeOf("Exited (137) 2 hours ago")).toBe(137);
    expect(exitCodeOf("Up 2 hours")).toBeUndefined();
    expect(healthOf("Up 2 hours (health: starting)")).toBe("starting");
    expect(logsSayBindFailed("Error binding TcpListener: Address already in use (os error 98)")).toBe(true);
    const frame = (stream: number, text: string): Buffer => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]))).toBe("out\nerr\n");
    expect(demuxLogs(Buffer.from("plain tty text\n"))).toBe("plain tty text\n");
  });
});
