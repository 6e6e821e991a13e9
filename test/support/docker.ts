/**
 * Test support for the live tier: is a Docker engine there, and stand-in images built
 * locally (registry pulls are impossible on our machines). An image is a root filesystem
 * holding this machine's `node` binary with its shared libraries, plus the files a test
 * gives, loaded with `docker import`. Rebuilt only when its content changes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export function docker(args: string[], input?: string): string {
  return execFileSync("docker", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 }).trim();
}

/** Why the live tier cannot run here, or undefined when an engine answers. */
export function engineUnavailableReason(): string | undefined {
  const result = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], { encoding: "utf8", timeout: 15_000 });
  if (result.error) return `the docker CLI is not installed (${result.error.message})`;
  if (result.status !== 0) return `no Docker engine answers (${(result.stderr || "").trim().split("\n")[0]})`;
  return undefined;
}

/** Prints one loud line and returns true when the live tier must be skipped. */
export function skipLiveTier(file: string): boolean {
  const reason = engineUnavailableReason();
  if (reason === undefined) return false;
  if (process.env.CI === "true") throw new Error(`live tier ${file}: ${reason}; CI must run it (.ci/run starts dockerd)`);
  console.warn(`\n*** SKIPPING live tier ${file}: ${reason}. Start dockerd to run it. ***\n`);
  return true;
}

function nodeRuntimeFiles(): string[] {
  const node = process.execPath;
  const libraries = execFileSync("ldd", [node], { encoding: "utf8" })
    .split("\n")
    .map((line) => /(\/\S+)/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
  return [node, ...libraries];
}

/** Files to put in an image: path inside the image → text content (mode 0755 when `executable`). */
export interface ImageFile {
  content: string;
  executable?: boolean;
}

/**
 * Builds (or reuses) a local image with `node` at /usr/local/bin/node and the given files.
 * `cmd` becomes the image's default command.
 */
export function buildNodeImage(tag: string, files: Record<string, ImageFile>, cmd: string[] = ["/usr/local/bin/node"]): string {
  const digest = createHash("sha256")
    .update(process.version)
    .update(JSON.stringify(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))))
    .update(JSON.stringify(cmd))
    .digest("hex")
    .slice(0, 16);
  const existing = spawnSync("docker", ["image", "inspect", "--format", "{{index .Config.Labels \"fluvio-spu.test.digest\"}}", tag], { encoding: "utf8" });
  if (existing.status === 0 && existing.stdout.trim() === digest) return tag;

  const root = mkdtempSync(join(tmpdir(), "fluvio-spu-image-"));
  try {
    for (const file of nodeRuntimeFiles()) {
      const target = join(root, file === process.execPath ? "/usr/local/bin/node" : file);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target, { dereference: true });
    }
    mkdirSync(join(root, "tmp"), { recursive: true });
    chmodSync(join(root, "tmp"), 0o1777);
    mkdirSync(join(root, "etc"), { recursive: true });
    writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n");
    writeFileSync(join(root, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    for (const [path, file] of Object.entries(files)) {
      const target = join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content, { mode: file.executable ? 0o755 : 0o644 });
    }
    const tar = spawnSync("tar", ["-C", root, "-c", "."], { maxBuffer: 1024 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    const imported = spawnSync(
      "docker",
      ["import", "--change", `CMD ${JSON.stringify(cmd)}`, "--change", `LABEL fluvio-spu.test.digest=${digest}`, "-", tag],
      { input: tar.stdout, encoding: "buffer", maxBuffer: 16 * 1024 * 1024 },
    );
    if (imported.status !== 0) throw new Error(`docker import ${tag} failed: ${imported.stderr.toString()}`);
    return tag;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
