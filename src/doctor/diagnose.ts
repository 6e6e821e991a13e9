/**
 * Pure: what `fluvio-ports doctor` concludes from what it saw of a deployed Docker stack — every
 * container the plan expects (up, healthy, exited with which code), bind failures in SPU logs
 * and who holds that port now, and whether each SPU's registration ran with the plan's
 * endpoints — as findings, each with what to do. Tested on recorded observations.
 */
import type { ClusterPlan, SpuPlan } from "../plan/types";
import { fixFor } from "../preflight/match";
import { importCommand, orphanReason, type Orphan } from "../preflight/orphans";

/** One container as the engine showed it (`GET /containers/json?all=true`, and its log tail for SPUs). */
export interface ObservedContainer {
  name: string;
  /** `running`, `exited`, `restarting`, `created`, ... */
  state: string;
  /** Docker's status line: `Up 3 minutes (healthy)`, `Exited (1) 2 minutes ago`. */
  status: string;
  /** The command line as the engine lists it. */
  command: string;
  /** The last lines of its logs (SPUs and registration jobs), or undefined when not read. */
  logs?: string;
}

/** Who holds a port now, as preflight found it (a process or another container). */
export interface PortHolderNow {
  port: number;
  holder: string;
}

/** One SPU the SC holds, as `fluvio cluster spu list -O json` lists it. */
export interface RegisteredSpu {
  id: number;
  /** Fluvio's `status.resolution`: `Online`, `Offline`, `Init`. */
  status: string;
}

/**
 * The cluster's containers compared with the stack's Pulumi state (read the way `npm run up`
 * deploys it): the orphans, containers the state does not track, with the component to adopt
 * them under; or why the state could not be read.
 */
export type StateComparison = { orphans: Orphan[]; component?: { urn: string; name: string } } | { unavailable: string };

/** Everything doctor saw. */
export interface Observation {
  containers: ObservedContainer[];
  /** Planned host ports held by something other than this stack (preflight's conflicts). */
  heldPorts: PortHolderNow[];
  /** The SPUs the SC holds, or why they could not be listed (absent: not asked). */
  registered?: RegisteredSpu[] | { unavailable: string };
  /** What the stack's state tracks (absent: not asked). */
  state?: StateComparison;
}

/** Fluvio's exit code when a listener cannot be bound (`Error binding TcpListener: Address already in use`). */
export const BIND_FAILURE_EXIT = 255;

/**
 * One finding: `ok` lines say what is fine, `problem` lines say what is wrong and what to do,
 * `unchecked` lines say what doctor could not look at, and why (never an `ok` about it).
 */
export interface Finding {
  level: "ok" | "problem" | "unchecked";
  subject: string;
  message: string;
  fix?: string;
}

/** The containers the plan expects, by name, with what they are. */
function expectedContainers(plan: ClusterPlan): { name: string; what: string; node?: string; spu?: SpuPlan; job?: boolean }[] {
  return [
    { name: plan.sc.name, what: "the SC", node: "sc" },
    ...plan.spus.flatMap((spu) => [
      { name: spu.host, what: `SPU ${spu.id}`, node: spu.key, spu },
      ...(spu.exporterCommand ? [{ name: `${spu.host}-exporter`, what: `the exporter of SPU ${spu.id}` }] : []),
      { name: `${spu.host}-register`, what: `the registration job of SPU ${spu.id}`, spu, job: true },
    ]),
    ...(plan.monitoring.prometheus ? [{ name: plan.monitoring.prometheus.name, what: "Prometheus" }] : []),
  ];
}

/** `Exited (1) 2 minutes ago` → 1. */
export function exitCodeOf(status: string): number | undefined {
  const match = /^Exited \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** `(healthy)`, `(unhealthy)`, `(health: starting)` → the health word, if any. */
export function healthOf(status: string): "healthy" | "unhealthy" | "starting" | undefined {
  if (/\(unhealthy\)/.test(status)) return "unhealthy";
  if (/\(healthy\)/.test(status)) return "healthy";
  if (/\(health: starting\)/.test(status)) return "starting";
  return undefined;
}

/**
 * Whether a log says a listener could not be bound. Fluvio's line names no port
 * (`Error binding TcpListener: Address already in use (os error 98)`, then exit 255), and its
 * timestamps' digits are not ports: which port it was is found from the plan and who holds
 * each planned port now, never read out of the log.
 */
export function logsSayBindFailed(logs: string): boolean {
  return /address already in use|os error 98|addrinuse/i.test(logs);
}

/** A node that stopped (exit `BIND_FAILURE_EXIT`) or keeps restarting because it could not bind: its log says so. */
function bindFailed(container: ObservedContainer): boolean {
  return container.state !== "running" && logsSayBindFailed(container.logs ?? "");
}

/** The planned ports of a node (`sc`, `spu-<id>`), with who holds each now. */
function bindFindings(plan: ClusterPlan, node: string, what: string, container: ObservedContainer, held: Map<number, string>): Finding[] {
  const rows = plan.ports.filter((row) => row.owner === node && (row.role === "public" || row.role === "private"));
  const holders = rows.flatMap((row) => (held.has(row.port) ? [`port ${row.port} (${row.role}) is held by ${held.get(row.port)}`] : []));
  const planned = rows.map((row) => `${row.role} ${row.port}`).join(", ");
  const code = exitCodeOf(container.status);
  return [
    {
      level: "problem",
      subject: what,
      message: `could not bind its ports (exit ${code ?? container.state}, Address already in use; Fluvio's log names no port): planned ${planned}; ${holders.length > 0 ? holders.join("; ") : "nothing on the host holds them now (something inside its network namespace may have)"}`,
      fix: holders.length > 0 ? portFix(plan, rows.find((row) => held.has(row.port))!.port) : `\`docker start ${container.name}\` (or \`docker restart\`); if it fails again, \`docker logs ${container.name}\` with logLevel debug`,
    },
  ];
}

/** What the SC's own list says of a planned SPU (absent when the list was not read). */
function registeredStatus(registered: Observation["registered"], spu: SpuPlan): Finding | undefined {
  if (registered === undefined || !Array.isArray(registered)) return undefined;
  const subject = `SPU ${spu.id} registration`;
  const entry = registered.find((candidate) => candidate.id === spu.id);
  if (!entry) return { level: "problem", subject, message: `the SC does not list SPU ${spu.id}: it is not registered`, fix: `\`docker rm ${spu.host}-register\` and \`pulumi up --refresh\` to register it again` };
  if (entry.status !== "Online") {
    return {
      level: "problem",
      subject,
      message: `registered but ${entry.status}: the SC hands clients its endpoints, and they cannot connect`,
      fix: `\`docker start ${spu.host}\` (\`docker logs ${spu.host}\` shows why it stopped); the SC lists it Online again within seconds`,
    };
  }
  return undefined;
}

function registrationFindings(plan: ClusterPlan, spu: SpuPlan, job: ObservedContainer, registered?: Observation["registered"]): Finding[] {
  const subject = `SPU ${spu.id} registration`;
  const code = exitCodeOf(job.status);
  const endpoints = `public ${spu.public}${spu.local ? `, local ${spu.local}` : ""}, private ${spu.private}`;
  if (job.state !== "exited") return [{ level: "problem", subject, message: `${job.name} is ${job.state} (${job.status}): the SPU is not registered yet`, fix: `wait for it, then run doctor again; \`docker logs ${job.name}\` shows where it waits` }];
  if (code !== 0) {
    const tail = (job.logs ?? "").trim().split("\n").slice(-2).join(" / ");
    return [{ level: "problem", subject, message: `${job.name} exited with ${code ?? job.status}: SPU ${spu.id} is not registered${tail ? ` (${tail})` : ""}`, fix: `fix the cause, then \`docker rm ${job.name}\` and \`pulumi up --refresh\` to register it again` }];
  }
  if (!job.command.includes(spu.register.join(" "))) {
    return [{ level: "problem", subject, message: `${job.name} registered SPU ${spu.id} with other endpoints than the plan's (${endpoints}): the deployment is older than the stack's config`, fix: `run \`pulumi up\` to register it with the plan's endpoints` }];
  }
  const status = registeredStatus(registered, spu);
  if (status) return [status];
  const online = Array.isArray(registered) ? ", Online" : "";
  return [{ level: "ok", subject, message: `registered with the plan's endpoints (${endpoints})${online}` }];
}

/** SPUs the SC holds that the plan does not have (scaled down, renumbered): clients are still handed their endpoints. */
function unplannedFindings(plan: ClusterPlan, registered: Observation["registered"]): Finding[] {
  if (registered === undefined) return [];
  if (!Array.isArray(registered)) return [{ level: "problem", subject: "registrations", message: `could not list the SPUs the SC holds (${registered.unavailable})`, fix: `run \`fluvio cluster spu list\` with the stack's client profile` }];
  const planned = new Set(plan.spus.map((spu) => spu.id));
  return registered
    .filter((entry) => !planned.has(entry.id))
    .map((entry): Finding => ({
      level: "problem",
      subject: `SPU ${entry.id} registration`,
      message: `registered (${entry.status}) but no longer planned: the SC still hands clients its endpoints`,
      fix: `\`pulumi up\` (its sync job unregisters SPUs the plan no longer has), or \`fluvio cluster spu unregister --id ${entry.id}\` with the stack's client profile`,
    }));
}

/**
 * A container of the cluster the stack's state does not track: the next `pulumi up` stops on
 * it (the provider's `Conflict`) until it is removed or adopted.
 */
function orphanFinding(plan: ClusterPlan, orphan: Orphan, component?: { urn: string; name: string }): Finding {
  const { container } = orphan;
  const adopt = importCommand(orphan, plan.stack, component);
  return {
    level: "problem",
    subject: `container ${container.name}`,
    message: `${container.id.slice(0, 12)}, ${container.state}, is not in stack ${plan.stack}'s state: ${orphanReason(orphan)}; the next \`pulumi up\` stops on it`,
    fix: `${orphan.planned ? `\`npm run up -- ${plan.stack}\` removes it and converges; by hand ` : ""}\`docker rm -f ${container.name}\` (named volumes stay)${adopt ? `, or adopt it with \`${adopt}\`` : ""}`,
  };
}

/** What the state comparison adds: each orphan not reported already, or the line saying it was not made. */
function stateFindings(plan: ClusterPlan, state: StateComparison | undefined, reported: ReadonlySet<string>): Finding[] {
  if (state === undefined) return [];
  if ("unavailable" in state) {
    return [{ level: "unchecked", subject: "state", message: `not compared with stack ${plan.stack}'s Pulumi state (${state.unavailable}): containers it does not track (orphans) were not looked for` }];
  }
  if (state.orphans.length === 0) return [{ level: "ok", subject: "state", message: `stack ${plan.stack}'s Pulumi state tracks every container of the cluster` }];
  return state.orphans.filter((orphan) => !reported.has(orphan.container.name)).map((orphan) => orphanFinding(plan, orphan, state.component));
}

/** What to do about a port something else holds. */
function portFix(plan: ClusterPlan, port: number): string {
  const row = plan.ports.find((candidate) => candidate.port === port);
  const move = row ? `, or ${fixFor(plan, row)}` : "";
  return `stop the holder${move}; then \`fluvio-ports plan --stack ${plan.stack} --record\` and \`pulumi up\``;
}

/** The findings, in the plan's order: containers (and their logs and registrations), then ports held by others. */
export function diagnose(plan: ClusterPlan, observation: Observation): Finding[] {
  const byName = new Map(observation.containers.map((container) => [container.name, container]));
  const held = new Map(observation.heldPorts.map((entry) => [entry.port, entry.holder]));
  const findings: Finding[] = [];
  if (observation.containers.length === 0) {
    return [
      {
        level: "problem",
        subject: `stack ${plan.stack}`,
        message: `is not deployed on this engine: no container carries the label fluvio-spu.cluster=${plan.namePrefix}`,
        fix: `run \`pulumi up\` for stack ${plan.stack} (or \`docker compose up -d\` on its rendered file), or point DOCKER_HOST at the engine it runs on`,
      },
      ...observation.heldPorts.map((entry): Finding => ({ level: "problem", subject: `port ${entry.port}`, message: `planned for this stack, held by ${entry.holder}`, fix: portFix(plan, entry.port) })),
    ];
  }
  const orphans = observation.state && "orphans" in observation.state ? observation.state : undefined;
  const orphanByName = new Map((orphans?.orphans ?? []).map((orphan) => [orphan.container.name, orphan]));
  const expectedList = expectedContainers(plan);
  for (const expected of expectedList) {
    const seen = byName.get(expected.name);
    const orphan = orphanByName.get(expected.name);
    if (orphan) {
      findings.push(orphanFinding(plan, orphan, orphans?.component));
      continue;
    }
    if (!seen) {
      findings.push({ level: "problem", subject: expected.what, message: `no container ${expected.name}`, fix: `run \`pulumi up\` for stack ${plan.stack} (or \`docker compose up -d\` on its rendered file)` });
      continue;
    }
    if (expected.job && expected.spu) {
      findings.push(...registrationFindings(plan, expected.spu, seen, observation.registered));
      continue;
    }
    if (expected.node && bindFailed(seen)) {
      findings.push(...bindFindings(plan, expected.node, expected.what, seen, held));
      continue;
    }
    const health = healthOf(seen.status);
    if (seen.state !== "running" || health === "unhealthy") {
      findings.push({ level: "problem", subject: expected.what, message: `${expected.name} is ${seen.state}${health ? `, ${health}` : ""} (${seen.status})`, fix: `\`docker logs ${expected.name}\` shows why; \`docker start ${expected.name}\` after a fix` });
    } else {
      findings.push({ level: "ok", subject: expected.what, message: `${expected.name} is up${health ? ` and ${health}` : ""}` });
    }
  }
  findings.push(...stateFindings(plan, observation.state, new Set(expectedList.map((expected) => expected.name))));
  findings.push(...unplannedFindings(plan, observation.registered));
  for (const entry of observation.heldPorts) {
    if (findings.some((finding) => finding.message.includes(`port ${entry.port} `))) continue;
    findings.push({ level: "problem", subject: `port ${entry.port}`, message: `planned for this stack, held by ${entry.holder}`, fix: portFix(plan, entry.port) });
  }
  return findings;
}

/** How each level starts its line: four characters, so that the subjects line up. */
const LEVEL_MARKS: Record<Finding["level"], string> = { ok: "ok  ", problem: "FAIL", unchecked: "--  " };

/** The lines doctor prints: `ok   ...`, `--   ...` (not looked at) and `FAIL ...` with the fix indented below. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map((finding) => `${LEVEL_MARKS[finding.level]} ${finding.subject}: ${finding.message}${finding.fix ? `\n     → ${finding.fix}` : ""}`)
    .join("\n");
}
