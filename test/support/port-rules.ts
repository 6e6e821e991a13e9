/**
 * The design's port rules as one checker, shared by the example and property tests.
 * Returns the broken rules (empty when the plan keeps them all).
 */
import { activeRoles, type ClusterSpec } from "../../src/config/schema";
import type { ClusterPlan } from "../../src/plan/types";
import { inRange, type PortRole } from "../../src/ports/range";
import { claimApplies, hostsShareMachine, type PortRegistry } from "../../src/ports/registry";

export function brokenPortRules(plan: ClusterPlan, spec: ClusterSpec, registry: PortRegistry): string[] {
  const broken: string[] = [];
  const roles = activeRoles(spec);
  const seen = new Map<number, string>();
  for (const row of plan.ports) {
    const where = `${row.owner} ${row.role} ${row.port}`;
    // Rule 1: inside its role's range, unique, never reserved or claimed.
    if (!inRange(row.port, spec.ports[row.role])) broken.push(`rule 1: ${where} outside its range`);
    if (seen.has(row.port)) broken.push(`rule 1: ${where} also assigned to ${seen.get(row.port)}`);
    seen.set(row.port, where);
    if (spec.reserved.some((range) => inRange(row.port, range))) broken.push(`rule 1: ${where} is reserved`);
    if (registry.claims.some((claim) => claimApplies(registry, claim, spec.host) && inRange(row.port, claim.ports) && row.source !== "recorded")) {
      broken.push(`rule 1: ${where} is claimed`);
    }
    for (const record of registry.records) {
      if (record.stack === plan.stack && record.cluster === plan.cluster) continue;
      if (!hostsShareMachine(registry, record.host, spec.host)) continue;
      if (Object.values(record.nodes).some((ports) => Object.values(ports).includes(row.port))) broken.push(`rule 1: ${where} belongs to stack ${record.stack}`);
    }
  }
  // Every node has exactly one port per active role.
  const expectedRows = (roles.includes("nodePort") ? 3 : 2) + spec.spus.length * roles.length;
  if (plan.ports.length !== expectedRows) broken.push(`plan has ${plan.ports.length} port rows, expected ${expectedRows}`);
  // Rule 3: pins honoured exactly.
  const pinned = (owner: string, role: PortRole, value: number | undefined): void => {
    if (value === undefined) return;
    const row = plan.ports.find((candidate) => candidate.owner === owner && candidate.role === role);
    if (!row || row.port !== value || row.source !== "pinned") broken.push(`rule 3: ${owner} ${role} pinned to ${value} got ${row?.port} (${row?.source})`);
  };
  pinned("sc", "public", spec.sc.publicPort);
  pinned("sc", "private", spec.sc.privatePort);
  for (const spu of spec.spus) {
    pinned(`spu-${spu.id}`, "public", spu.publicPort);
    pinned(`spu-${spu.id}`, "private", spu.privatePort);
    if (roles.includes("metrics")) pinned(`spu-${spu.id}`, "metrics", spu.metricsPort);
    if (roles.includes("nodePort")) pinned(`spu-${spu.id}`, "nodePort", spu.nodePort);
  }
  // Rule 5: the same number everywhere: endpoints, commands, registrations.
  const portOf = (owner: string, role: PortRole): number | undefined => plan.ports.find((row) => row.owner === owner && row.role === role)?.port;
  if (plan.sc.ports.public !== portOf("sc", "public") || plan.sc.ports.private !== portOf("sc", "private")) broken.push("rule 5: SC ports differ from the rows");
  if (!plan.sc.command.includes(`0.0.0.0:${plan.sc.ports.public}`) || !plan.sc.command.includes(`0.0.0.0:${plan.sc.ports.private}`)) broken.push("rule 5: SC command binds other ports");
  for (const spu of plan.spus) {
    const owner = `spu-${spu.id}`;
    const publicPort = portOf(owner, "public");
    const privatePort = portOf(owner, "private");
    if (spu.ports.public !== publicPort || spu.ports.private !== privatePort) broken.push(`rule 5: ${owner} ports differ from the rows`);
    if (spu.endpoints.private.port !== privatePort || !spu.private.endsWith(`:${privatePort}`)) broken.push(`rule 5: ${owner} private endpoint`);
    if (spec.target === "docker" && (spu.endpoints.public.port !== publicPort || !spu.public.endsWith(`:${publicPort}`))) broken.push(`rule 5: ${owner} public endpoint`);
    if (!spu.command.includes(`0.0.0.0:${publicPort}`) || !spu.command.includes(`0.0.0.0:${privatePort}`)) broken.push(`rule 5: ${owner} command`);
    if (!spu.command.includes(plan.sc.private)) broken.push(`rule 5: ${owner} --sc-addr is not the SC's private endpoint`);
    const registered = (flag: string): string | undefined => spu.register[spu.register.indexOf(flag) + 1];
    if (registered("--public-server") !== spu.public || registered("--private-server") !== spu.private) broken.push(`rule 5: ${owner} registration`);
    if (spu.local !== null && registered("--public-server-local") !== spu.local) broken.push(`rule 5: ${owner} local registration`);
    if (roles.includes("metrics") && (spu.ports.metrics !== portOf(owner, "metrics") || !spu.exporterCommand?.includes(String(spu.ports.metrics)))) broken.push(`rule 5: ${owner} metrics`);
  }
  return broken;
}

/** The ports of the SPUs both plans have, by owner and role. */
export function movedPorts(before: ClusterPlan, after: ClusterPlan): string[] {
  const afterPorts = new Map(after.ports.map((row) => [`${row.owner}/${row.role}`, row.port]));
  return before.ports
    .filter((row) => afterPorts.has(`${row.owner}/${row.role}`) && afterPorts.get(`${row.owner}/${row.role}`) !== row.port)
    .map((row) => `${row.owner} ${row.role} ${row.port} → ${afterPorts.get(`${row.owner}/${row.role}`)}`);
}
