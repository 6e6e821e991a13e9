/**
 * `fluvio-ports plan -o mermaid`: the port map as a Mermaid flowchart — the ranges and who got
 * which port, the host ports, where each leads (Docker: host port → container port;
 * Kubernetes: NodePort → Service port → containerPort), and the local endpoints clients in
 * containers use. Pure: a plan in, text out, byte-identical for the same plan.
 */
import { nodeLabel } from "../plan/names";
import type { ClusterPlan } from "../plan/types";
import { formatRange, type PortRole } from "../ports/range";

/** How many nodes a range's box lists before it says "+ N more". */
const RANGE_LIST_MAX = 10;

const ROLES: readonly PortRole[] = ["public", "private", "metrics", "nodePort"];

/** One box of the diagram: who it is, and what it says. */
interface Box {
  id: string;
  label: string;
}

/** The SC or an SPU, as the diagram draws it. */
interface DiagramNode {
  owner: string;
  title: string;
  ports: { public: number; private: number; metrics?: number; nodePort?: number };
  serviceName: string;
  internal: string | null;
  exporter: string | null;
  local: string | null;
}

/** The plan as a Mermaid `flowchart LR`, ending in a newline. */
export function planMermaid(plan: ClusterPlan): string {
  const lines: string[] = ["flowchart LR"];
  const edges: string[] = [];
  const k8s = plan.target === "kubernetes";
  const hostPorts = new Set(plan.hostPorts);

  lines.push(`  subgraph ranges["port ranges of stack ${text(plan.stack)} · strategy ${plan.strategy}"]`);
  for (const role of ROLES) {
    const range = plan.ranges[role];
    if (!range) continue;
    const holders = plan.ports.filter((row) => row.role === role).map((row) => `${nodeLabel(row.owner)} ${row.port}`);
    const listed = holders.length > RANGE_LIST_MAX ? [...holders.slice(0, RANGE_LIST_MAX), `+ ${holders.length - RANGE_LIST_MAX} more`] : holders;
    lines.push(`    ${box({ id: `range_${role}`, label: `${role} ${formatRange(range)}<br/>${listed.join(" · ")}` })}`);
  }
  lines.push("  end");

  const nodes: DiagramNode[] = [
    { owner: "sc", title: `SC ${plan.sc.name}`, ports: plan.sc.ports, serviceName: plan.sc.host, internal: plan.sc.internalHost, exporter: null, local: plan.sc.local },
    ...plan.spus.map((spu) => ({ owner: spu.key, title: `SPU ${spu.id} ${spu.name}`, ports: spu.ports, serviceName: spu.host, internal: spu.internalHost, exporter: spu.exporterHost, local: spu.local })),
  ];
  const hostBoxes: Box[] = [];
  const clusterBoxes: Box[] = [];
  const hostBoxOf = new Map<number, string>();
  const targetOf = new Map<string, string>();

  for (const node of nodes) {
    const id = safeId(node.owner);
    const inside = [
      `${k8s ? "containerPort" : "public"} ${node.ports.public}`,
      `private ${node.ports.private}`,
      ...(node.ports.metrics !== undefined && (k8s || node.exporter === null) ? [`metrics ${node.ports.metrics}`] : []),
    ];
    clusterBoxes.push({ id, label: `${node.title}${k8s ? " pod" : ""}<br/>${inside.join(" · ")}${node.internal ? `<br/>private via ${node.internal}` : ""}` });
    if (!k8s && node.exporter !== null && node.ports.metrics !== undefined) {
      clusterBoxes.push({ id: `${id}_exporter`, label: `exporter ${node.exporter}<br/>metrics ${node.ports.metrics}` });
    }
    let publicTarget = id;
    if (k8s) {
      publicTarget = `${id}_service`;
      clusterBoxes.push({ id: publicTarget, label: `Service ${node.serviceName}<br/>port ${node.ports.public}` });
      if (node.ports.nodePort !== undefined) {
        const hostId = `host_${node.ports.nodePort}`;
        hostBoxes.push({ id: hostId, label: `NodePort ${node.ports.nodePort}` });
        hostBoxOf.set(node.ports.nodePort, hostId);
        edges.push(`  ${hostId} -->|"Service port ${node.ports.public}"| ${publicTarget}`);
      }
      edges.push(`  ${publicTarget} -->|"containerPort ${node.ports.public}"| ${id}`);
    } else {
      for (const role of ["public", "private", "metrics"] as const) {
        const port = node.ports[role];
        if (port === undefined || !hostPorts.has(port)) continue;
        const hostId = `host_${port}`;
        const to = role === "metrics" && node.exporter !== null ? `${id}_exporter` : id;
        hostBoxes.push({ id: hostId, label: `${port} ${role}` });
        hostBoxOf.set(port, hostId);
        edges.push(`  ${hostId} -->|"container port ${port}"| ${to}`);
      }
    }
    targetOf.set(node.owner, publicTarget);
  }

  hostBoxes.sort((a, b) => Number(a.id.slice("host_".length)) - Number(b.id.slice("host_".length)));
  if (hostBoxes.length > 0) {
    lines.push(`  subgraph host["host ${text(plan.host)}${k8s ? ` (${plan.serviceType} Services)` : ""}"]`);
    for (const entry of hostBoxes) lines.push(`    ${box(entry)}`);
    lines.push("  end");
  }
  const where = k8s ? `namespace ${plan.namespace}` : `Docker network ${plan.docker?.network.name ?? plan.namePrefix}`;
  lines.push(`  subgraph cluster["${text(where)}"]`);
  for (const entry of clusterBoxes) lines.push(`    ${box(entry)}`);
  lines.push("  end");

  const locals = nodes.filter((node) => node.local !== null);
  const localHosts = [...new Set(locals.map((node) => hostOf(node.local as string)))];
  localHosts.forEach((host, index) => lines.push(`  ${box({ id: `local_${index}`, label: `local endpoints<br/>clients in containers use ${host}` })}`));
  for (const node of locals) {
    const endpoint = node.local as string;
    const port = Number(endpoint.slice(endpoint.lastIndexOf(":") + 1));
    const to = hostBoxOf.get(port) ?? targetOf.get(node.owner);
    edges.push(`  local_${localHosts.indexOf(hostOf(endpoint))} -.->|"${text(endpoint)}"| ${to}`);
  }
  return `${[...lines, ...edges].join("\n")}\n`;
}

function hostOf(endpoint: string): string {
  return endpoint.slice(0, endpoint.lastIndexOf(":"));
}

function box(entry: Box): string {
  return `${entry.id}["${text(entry.label)}"]`;
}

/** Label text: a double quote would end the label. */
function text(value: string): string {
  return value.replace(/"/g, "#quot;");
}

/** Mermaid node ids: letters, digits and `_`. */
function safeId(value: string): string {
  return value.replace(/[^A-Za-z0-9_]/g, "_");
}
