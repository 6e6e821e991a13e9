/**
 * `npm run toolchain`'s decisions (scripts/toolchain.sh), without a 45-minute build: a fake `go` on
 * PATH answers the way the Go module proxy really does (an `.info` with no `Origin`, a 403, no
 * answer at all), and a fake engines folder stands for ../shared/engines. What the script must do
 * in each case: one `LEFT OUT` line with the reason, exit 0, every piece that worked linked; two
 * runs at once leave one complete build and intact links.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/pulumi";

const SCRIPT = join(PROJECT_ROOT, "scripts/toolchain.sh");

/**
 * A fake `go`. Per module path (FAKE_GO_<KEY>=ok|no-origin|403|hang), `go mod download -json`
 * answers like the proxy; `go mod edit -json` describes a go.mod with no replaces; `go build -o`
 * writes small executables that answer `version`.
 */
const FAKE_GO = `#!/usr/bin/env bash
key() { case "$1" in
  *pulumi/pkg*) echo PULUMI ;; *etcd*) echo ETCD ;; *k8s.io/kubernetes*) echo KUBE ;; *kwok*) echo KWOK ;; *) echo OTHER ;; esac; }
echo "$*" >>"$FAKE_GO_LOG"
case "$1 $2" in
  "mod download")
    mod="\${@: -1}"; var="FAKE_GO_$(key "$mod")"; mode="\${!var:-ok}"
    case "$mode" in
      hang) sleep 30 ;;
      403) echo "go: $mod: reading https://proxy.golang.org/x/@v/v1.info: 403 Forbidden" >&2; exit 1 ;;
      no-origin) printf '{"Path":"x","Version":"v1","GoMod":"%s/go.mod","Dir":"%s"}\\n' "$FAKE_GO_DIR" "$FAKE_GO_DIR" ;;
      *) printf '{"Path":"x","Version":"v1","GoMod":"%s/go.mod","Dir":"%s","Origin":{"Hash":"0123456789abcdef"}}\\n' "$FAKE_GO_DIR" "$FAKE_GO_DIR" ;;
    esac ;;
  "mod edit") echo '{"Go":"1.24","Replace":[]}' ;;
  "build "*)
    out=""; pkgs=(); shift
    while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2 ;; -ldflags) shift 2 ;; -*) shift ;; *) pkgs+=("$1"); shift ;; esac; done
    write() { printf '#!/bin/sh\\necho "fake $(basename "$0") $*"\\n' >"$1"; chmod +x "$1"; }
    if [[ "$out" == */ ]]; then for p in "\${pkgs[@]}"; do write "$out$(basename "$p")"; done; else write "$out"; fi
    [ -n "\${FAKE_GO_BUILD_SLEEP:-}" ] && sleep "$FAKE_GO_BUILD_SLEEP"
    exit 0 ;;
  *) echo "fake go: $*" >&2; exit 2 ;;
esac
`;

interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  bin: string;
  cache: string;
}

const sandboxes: string[] = [];
afterEach(() => {
  for (const dir of sandboxes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The engines the script takes from ../shared/engines, in its layout: packed with xz, but the Python exec script. */
const ENGINES: Array<[folder: string, name: string, packed: boolean]> = [
  ["pulumi-resource-docker-5.2.0", "pulumi-resource-docker", true],
  ["pulumi-resource-kubernetes-4.34.2", "pulumi-resource-kubernetes", true],
  ["pulumi-language-nodejs-3.248.0", "pulumi-language-nodejs", true],
  ["pulumi-language-python-3.248.0", "pulumi-language-python", true],
  ["pulumi-language-python-3.248.0", "pulumi-language-python-exec", false],
  ["pulumi-language-yaml-1.25.0", "pulumi-language-yaml", true],
  ["fluvio-0.18.1", "fluvio-run", true],
  ["fluvio-0.18.1", "fluvio", true],
];
const ENGINE_NAMES = ENGINES.map(([, name]) => name);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const engineBody = (name: string) => `#!/bin/sh\necho ${name}\n`;

/** A fake engines folder (one corrupt entry on request) and a fake go. */
function sandbox(options: { go?: boolean; corrupt?: string; modes?: Record<string, string> } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-toolchain-"));
  sandboxes.push(dir);
  const engines = join(dir, "engines");
  const sums: string[] = [];
  for (const [folder, name, packed] of ENGINES) {
    mkdirSync(join(engines, folder), { recursive: true });
    writeFileSync(join(engines, folder, name), engineBody(name));
    if (packed) spawnSync("xz", ["-z", join(engines, folder, name)]);
    sums.push(`${options.corrupt === name ? "0".repeat(64) : sha256(engineBody(name))}  ${folder}/${name}`);
  }
  writeFileSync(join(engines, "SHA256SUMS"), `${sums.join("\n")}\n`);
  const tools = join(dir, "tools");
  mkdirSync(tools);
  if (options.go !== false) {
    writeFileSync(join(tools, "go"), FAKE_GO);
    chmodSync(join(tools, "go"), 0o755);
  }
  const goDir = join(dir, "module");
  mkdirSync(goDir);
  writeFileSync(join(goDir, "go.mod"), "module x\n");
  // PATH: the fake tools, then the system's, but never the real Go.
  const path = [tools, ...(process.env.PATH ?? "").split(":").filter((entry) => entry && !existsSync(join(entry, "go")))].join(":");
  const modes = Object.fromEntries(Object.entries(options.modes ?? {}).map(([key, value]) => [`FAKE_GO_${key}`, value]));
  const bin = join(dir, "bin");
  const cache = join(dir, "cache");
  return {
    dir,
    bin,
    cache,
    env: {
      ...process.env,
      PATH: path,
      FLUVIO_SPU_TOOLCHAIN_CACHE: cache,
      FLUVIO_SPU_TOOLCHAIN_BIN: bin,
      FLUVIO_SPU_ENGINES: engines,
      FLUVIO_SPU_TOOLCHAIN_TIMEOUT: "90",
      FAKE_GO_DIR: goDir,
      FAKE_GO_LOG: join(dir, "go.log"),
      ...modes,
    },
  };
}

/** Runs the script with the sandbox's engines only (the real piece list, the fake engines). */
function run(box: Sandbox, extra: NodeJS.ProcessEnv = {}) {
  const result = spawnSync("bash", [SCRIPT], { env: { ...box.env, ...extra }, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

const linked = (box: Sandbox) => (existsSync(box.bin) ? readdirSync(box.bin).filter((name) => !name.startsWith(".")).sort() : []);
const GO_BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "pulumi"];
const leftOut = (out: string) => out.split("\n").filter((line) => line.startsWith("toolchain: LEFT OUT"));

describe("npm run toolchain: a piece that cannot be had is one line, never a failed run", () => {
  it("builds every Go piece when the proxy answers without Origin (the commit is optional), and links the checked engines", () => {
    const box = sandbox({ modes: { PULUMI: "no-origin", ETCD: "no-origin", KUBE: "no-origin", KWOK: "no-origin" } });
    const { status, out } = run(box);
    expect(status, out).toBe(0);
    expect(leftOut(out), out).toEqual([]);
    expect(linked(box)).toEqual([...GO_BINARIES, ...ENGINE_NAMES].sort());
    const pulumi = spawnSync(join(box.bin, "pulumi"), ["version"], { encoding: "utf8" });
    expect(pulumi.stdout).toMatch(/fake pulumi version/);
  });

  it("a 403 from the proxy leaves that piece out with the proxy's words, builds the rest, exits 0", () => {
    const box = sandbox({ modes: { KWOK: "403" } });
    const { status, out } = run(box);
    expect(status, out).toBe(0);
    const kwok = leftOut(out).filter((line) => line.includes("kwok"));
    expect(kwok).toHaveLength(1);
    expect(kwok[0]).toMatch(/403 Forbidden/);
    expect(linked(box)).toEqual(expect.arrayContaining(GO_BINARIES.filter((name) => name !== "kwok")));
    expect(linked(box)).not.toContain("kwok");
    // The summary says it again at the end, where a reader of CI's log looks.
    expect(out).toMatch(/^\s+kwok 0\.8\.0: LEFT OUT \(.*403 Forbidden/m);
  });

  it("a proxy that never answers is bounded by the timeout and left out, not a hung CI", () => {
    const box = sandbox({ modes: { ETCD: "hang" } });
    const started = Date.now();
    const { status, out } = run(box, { FLUVIO_SPU_TOOLCHAIN_TIMEOUT: "3" });
    expect(status, out).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(leftOut(out).filter((line) => line.includes("etcd"))[0]).toMatch(/no answer within 3s/);
    // The next run tries again (a time-out is not a "no").
    const again = run(box, { FAKE_GO_ETCD: "ok" });
    expect(again.out).toMatch(/building etcd/);
    expect(again.status).toBe(0);
    expect(linked(box)).toContain("etcd");
  });

  it("without Go, the Go pieces are left out in one line each and the engines are still linked", () => {
    const box = sandbox({ go: false });
    const { status, out } = run(box);
    expect(status, out).toBe(0);
    expect(leftOut(out).filter((line) => /Go is not installed/.test(line))).toHaveLength(4);
  });

  it("a second run builds nothing and asks the proxy nothing", () => {
    const box = sandbox();
    expect(run(box).status).toBe(0);
    const calls = readFileSync(join(box.dir, "go.log"), "utf8").split("\n").length;
    const second = run(box);
    expect(second.status).toBe(0);
    expect(readFileSync(join(box.dir, "go.log"), "utf8").split("\n").length).toBe(calls);
    expect(second.out).not.toMatch(/building/);
  });
});

describe("npm run toolchain: the engines from ../shared/engines", () => {
  it("unpacks each (xz, or plain for the Python exec script) and checks it against SHA256SUMS before linking it", () => {
    const box = sandbox();
    const { status, out } = run(box);
    expect(status, out).toBe(0);
    for (const name of ENGINE_NAMES) {
      const target = realpathSync(join(box.bin, name));
      expect(target).toContain(sha256(engineBody(name)));
      expect(spawnSync(target, [], { encoding: "utf8" }).stdout).toBe(`${name}\n`);
    }
  });

  it("a checksum that does not match is left out in one line and never linked; the others are", () => {
    const box = sandbox({ corrupt: "fluvio-run" });
    const { status, out } = run(box);
    expect(status, out).toBe(0);
    expect(leftOut(out)).toHaveLength(1);
    expect(leftOut(out)[0]).toMatch(/fluvio-run .*does not match SHA256SUMS/);
    expect(linked(box)).not.toContain("fluvio-run");
    expect(linked(box)).toContain("fluvio");
  });

  it("a missing engines folder is one line per engine, and the Go pieces still build", () => {
    const box = sandbox();
    rmSync(box.env.FLUVIO_SPU_ENGINES!, { recursive: true });
    const { status, out } = run(box);
    expect(status, out).toBe(0);
    expect(leftOut(out)).toHaveLength(ENGINES.length);
    expect(leftOut(out)[0]).toMatch(/the engines folder is missing/);
    expect(linked(box)).toEqual(GO_BINARIES);
  });
});

describe("npm run toolchain: two runs at once", () => {
  it("both end 0, one build is kept, links are complete and no build folder is left behind", async () => {
    const box = sandbox();
    const start = () =>
      new Promise<{ status: number | null; out: string }>((resolve) => {
        const child = spawn("bash", [SCRIPT], { env: { ...box.env, FAKE_GO_BUILD_SLEEP: "1" } });
        let out = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        child.stderr.on("data", (chunk) => (out += chunk));
        child.on("close", (status) => resolve({ status, out }));
      });
    const [first, second] = await Promise.all([start(), start()]);
    expect(first.status, first.out).toBe(0);
    expect(second.status, second.out).toBe(0);
    expect(linked(box)).toEqual(expect.arrayContaining(GO_BINARIES));
    for (const name of GO_BINARIES) expect(existsSync(realpathSync(join(box.bin, name)))).toBe(true);
    const leftovers = readdirSync(box.cache).filter((name) => name.includes(".build.") || name.startsWith("engines.tmp"));
    expect(leftovers).toEqual([]);
    // Each piece was built once: the second run waited on the lock and took the first one's build.
    const builds = readFileSync(join(box.dir, "go.log"), "utf8").split("\n").filter((line) => line.startsWith("build "));
    expect(builds).toHaveLength(4);
  }, 120_000);
});
