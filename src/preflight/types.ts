import type { PortRole } from "../ports/range";

/**
 * Who holds a planned port on this host, as far as the OS and Docker tell. A port held
 * through Docker names the container (never `docker-proxy`), because the container is
 * what a user stops or moves.
 */
export interface PortHolder {
  /**
   * `process`: a listener whose process we found; `container`: a port Docker publishes
   * (with or without a `docker-proxy` listener); `unknown`: a listener whose process we may
   * not see (another user's fds, another PID namespace), still a conflict.
   */
  kind: "process" | "container" | "unknown";
  /** Where the OS tells (the process owning the listening socket). */
  pid?: number;
  /** Process command (from /proc/<pid>/cmdline, first arg basename + args, shortened). */
  command?: string;
  /** Docker container name when Docker publishes the port. */
  container?: string;
  /** Listening (or publishing) address, e.g. "0.0.0.0", "127.0.0.1", "::". */
  address?: string;
  /**
   * `bound`: the socket is bound but not listening (it is in no listener table; a bind probe
   * found it). It blocks Docker's bind all the same. Absent: listening, or published.
   */
  state?: "bound";
  /** `bind-probe`: found by binding the port (the listener tables could not show it). */
  seenBy?: "bind-probe";
}

/**
 * Planned ports preflight could not look at, and why: the Docker engine did not answer
 * (`docker`: ports it publishes through NAT alone are invisible), the listener tables could not
 * be read and a bind probe could not stand in (`listeners`), or a bind probe was impossible on a
 * port the tables show free (`bound`: a bound, not listening socket would stay unseen). Never
 * reported as free: `fluvio-ports check` exits 3 and `pulumi up` stops.
 */
export interface UncheckedPorts {
  what: "docker" | "listeners" | "bound";
  ports: number[];
  reason: string;
}

/**
 * One planned host port that is already taken: which node of the plan wants it, who holds
 * it, and where in the config to move it. `message` is the one line `fluvio-ports check`
 * prints, so a user can act on it without reading anything else.
 */
export interface PortConflict {
  port: number;
  /** Plan owner key: "sc" | "spu-5001". */
  owner: string;
  role: PortRole;
  /** The node as a person reads it: "SC public", "SPU 5001 public". */
  wantedBy: string;
  holder: PortHolder;
  /** Where to pin another port and which range to move, e.g. "pin another port with spus[0].publicPort (the SPU with id 5001) or move the range ports.public 9000-9100". */
  fix: string;
  /** ONE line: "Port 9010 already in use by redis-server (pid 4242): wanted by SPU 5001 public; pin another port with ...". */
  message: string;
}

/**
 * What a preflight found: the ports it looked at, the conflicts, and which sources
 * answered, so that "no conflicts" can be told apart from "nobody could be asked".
 */
export interface PortCheckReport {
  /** The ports looked at (sorted, unique). */
  checked: number[];
  /** One per (port, holder), sorted by port. */
  conflicts: PortConflict[];
  /** Which sources answered: the OS listener tables, and the Docker engine (or why not). */
  sources: { proc: boolean; docker: true | string };
  /**
   * How preflight looked beyond the tables and the engine: how many ports it bind-probed (those
   * the tables show nothing on; all of them when the tables are unreadable), and whether lsof
   * named what a probe found (true) or why not. Absent from stand-in checks.
   */
  fallback?: { probed: number; lsof: true | string };
  /**
   * What could not be checked, and why; empty when every port was seen. A port listed here is
   * never reported free. `checkPorts` always sets it (optional only so that stand-in checks may
   * leave it out: absent means empty).
   */
  unchecked?: UncheckedPorts[];
}

/** How `checkPorts` looks: which ports, where /proc is, which Docker engine, and whether the cluster's own containers count. */
export interface CheckPortsOptions {
  /** Default: plan.hostPorts. Every port must be one the plan assigns (a conflict names the node that wants it). */
  ports?: number[];
  /** Default "/proc" (tests point it at a fake tree). */
  procRoot?: string;
  /** Engine to ask for published ports; default from DOCKER_HOST (unix://) or /var/run/docker.sock; false = don't ask. */
  docker?: { socketPath?: string } | false;
  /**
   * Default true: containers labelled fluvio-spu.cluster = plan.namePrefix AND fluvio-spu.stack =
   * plan.stack are this cluster itself, not conflicts.
   */
  ignoreOwnContainers?: boolean;
  /**
   * Bind probes for every planned port the listener tables do not show taken: one dual-stack bind
   * on :: where the tables were readable (Linux), else on 0.0.0.0, :: and 127.0.0.1 (all ports
   * when /proc cannot be read). They see sockets that are bound but not listening. Default on; false turns them off (what they would have seen is then `unchecked`);
   * a function stands in for them (tests).
   */
  probe?: false | ((ports: readonly number[], context: { tablesReadable: boolean }) => Promise<import("./fallback").ProbeResult[]>);
  /** Name what a probe finds with `lsof` where it is installed. Default on; false: don't; a function stands in (tests). */
  lsof?: false | ((ports: readonly number[]) => import("./fallback").LsofHolder[] | undefined);
}

/** One TCP listener from /proc/net/tcp or tcp6 (state 0A). */
export interface Listener {
  /** Printable address: "0.0.0.0", "127.0.0.1", "::", "::1", "::ffff:127.0.0.1". */
  address: string;
  port: number;
  /** Socket inode: the key to the process holding a `socket:[inode]` fd. */
  inode: number;
  uid: number;
}

/** A process that holds a socket: its pid and its shortened command. */
export interface SocketOwner {
  pid: number;
  command: string;
}

/** A port Docker publishes on the host, with the container behind it. */
export interface PublishedPort {
  port: number;
  /** Host address it is published on ("0.0.0.0", "::", "127.0.0.1"); "" when Docker does not say. */
  address: string;
  container: string;
  labels: Readonly<Record<string, string>>;
}
