/**
 * The control plane is one cluster shared by every file of the engine tier, and vitest runs
 * files side by side: two files deploying the prod stack at once would fight over its
 * namespace and NodePorts. A file that deploys takes this lock for its whole run (a directory
 * created atomically, holding the owner's pid; one whose owner has died is taken over).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOOLCHAIN } from "./toolchain";

const LOCK = join(TOOLCHAIN, "control-plane", "engine-tier.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function ownerOf(): number | undefined {
  try {
    const pid = Number(readFileSync(join(LOCK, "pid"), "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until this process holds the lock; returns its release. */
export async function lockCluster(timeoutMs = 600_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let sinceOwnerless = 0;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      return () => {
        if (ownerOf() === process.pid) rmSync(LOCK, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = ownerOf();
    // An owner that died, or a lock left without a pid (a crash between mkdir and write) for 5 s.
    if ((owner !== undefined && !alive(owner)) || (owner === undefined && (sinceOwnerless += 250) > 5_000)) {
      rmSync(LOCK, { recursive: true, force: true });
      sinceOwnerless = 0;
      continue;
    }
    if (owner !== undefined) sinceOwnerless = 0;
    if (Date.now() > deadline) throw new Error(`the control plane stayed locked by pid ${owner} for ${timeoutMs} ms (${LOCK})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Whether some file holds the lock now (for messages). */
export const clusterLocked = (): boolean => existsSync(LOCK);
