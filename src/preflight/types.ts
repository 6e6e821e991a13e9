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
}

/** How `checkPorts` looks: which ports, where /proc is, which Docker engine, and whether the cluster's own containers count. */
export interface CheckPortsOptions {
  /** Default: plan.hostPorts. Every port must be one the plan assigns (a conflict names the node that wants it). */
  ports?: number[];
  /** Default "/proc" (tests point it at a fake tree). */
  procRoot?: string;
  /** Engine to ask for published ports; default from DOCKER_HOST (unix://) or /var/run/docker.sock; false = don't ask. */
  docker?: { socketPath?: string } | false;
  /** Default true: containers labelled fluvio-spu.cluster = plan.namePrefix are this cluster itself, not conflicts. */
  ignoreOwnContainers?: boolean;
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
