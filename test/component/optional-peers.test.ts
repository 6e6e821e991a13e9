/**
 * The Pulumi SDKs are peer dependencies a user's program shares, and the target SDKs are
 * optional: a Docker-only program runs `SpuCluster` with `@pulumi/kubernetes` not installed at
 * all, and a Kubernetes-only one without `@pulumi/docker`. Each case runs the compiled package
 * (dist/index.js, what `require("fluvio-spu")` loads) under Pulumi's mocks in a Node process
 * where the missing package cannot be resolved (test/fixtures/peers/cluster-without.cjs).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPTIONAL_PEERS } from "../../src/targets/sdk";
import { PROJECT_ROOT } from "../support/pulumi";

interface Outcome {
  ok: boolean;
  types?: string[];
  spus?: string[];
  profile?: string;
  error?: string;
  name?: string;
  loaded: string[];
}

function clusterWithout(missing: string, target: "docker" | "kubernetes"): Outcome {
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, "test/fixtures/peers/cluster-without.cjs"), missing, target, join(PROJECT_ROOT, "dist/index.js")], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  const outcome = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Outcome;
  // A constructor that throws leaves registrations behind, and Pulumi's exit hook reports them (exit 1).
  if (outcome.ok) expect(result.status, result.stderr).toBe(0);
  return outcome;
}

const packageJson = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** Whether x.y.z satisfies a range of `^a.b.c` alternatives (all package.json uses). */
function satisfies(version: string, range: string): boolean {
  const parse = (text: string) => text.split(".").map(Number) as [number, number, number];
  const [major, minor, patch] = parse(version);
  return range.split("||").some((alternative) => {
    const [lowMajor, lowMinor, lowPatch] = parse(alternative.trim().replace(/^\^/, ""));
    return major === lowMajor && (minor > lowMinor || (minor === lowMinor && patch >= lowPatch));
  });
}

describe("optional target SDKs", () => {
  it("a Docker cluster runs with @pulumi/kubernetes unresolvable, and never loads it", () => {
    const outcome = clusterWithout("@pulumi/kubernetes", "docker");
    expect(outcome.error).toBeUndefined();
    expect(outcome.types).toEqual(expect.arrayContaining(["fluvio-spu:index:SpuCluster", "docker:index/container:Container", "docker:index/volume:Volume"]));
    expect(outcome.types!.filter((type) => type.startsWith("kubernetes:"))).toEqual([]);
    expect(outcome.spus).toEqual(["localhost:9007", "localhost:9008"]);
    expect(outcome.profile).toContain('endpoint = "localhost:9002"');
    expect(outcome.loaded).toEqual(["@pulumi/docker", "@pulumi/pulumi"]);
  });

  it("a Kubernetes cluster runs with @pulumi/docker unresolvable, and never loads it", () => {
    const outcome = clusterWithout("@pulumi/docker", "kubernetes");
    expect(outcome.error).toBeUndefined();
    expect(outcome.types).toEqual(expect.arrayContaining(["fluvio-spu:index:SpuCluster", "kubernetes:apps/v1:StatefulSet", "kubernetes:fluvio.infinyon.com/v1:Spu"]));
    expect(outcome.types!.filter((type) => type.startsWith("docker:"))).toEqual([]);
    expect(outcome.loaded).toEqual(["@pulumi/kubernetes", "@pulumi/pulumi"]);
  });

  it("the target a program needs but lacks fails with one line saying what to install, no stack trace", () => {
    const outcome = clusterWithout("@pulumi/kubernetes", "kubernetes");
    expect(outcome).toMatchObject({ ok: false, name: "RunError" });
    expect(outcome.error).toBe('target: kubernetes needs @pulumi/kubernetes, an optional peer dependency of fluvio-spu that is not installed: npm install @pulumi/kubernetes@"^4.5.0"');
  });
});

describe("package.json: the Pulumi SDKs are peers the user's program shares", () => {
  const sdks = ["@pulumi/pulumi", "@pulumi/docker", "@pulumi/kubernetes"];

  it("are peer dependencies with ranges, not dependencies; the target SDKs optional, @pulumi/pulumi required", () => {
    for (const sdk of sdks) {
      expect(packageJson.dependencies[sdk], sdk).toBeUndefined();
      expect(packageJson.peerDependencies[sdk], sdk).toMatch(/^\^\d+\.\d+\.\d+( \|\| \^\d+\.\d+\.\d+)*$/);
    }
    expect(packageJson.peerDependenciesMeta).toEqual({ "@pulumi/docker": { optional: true }, "@pulumi/kubernetes": { optional: true } });
    for (const peer of Object.values(OPTIONAL_PEERS)) expect(packageJson.peerDependencies[peer.name]).toBe(peer.range);
  });

  it("this repository builds against exact versions inside those ranges (devDependencies)", () => {
    for (const sdk of sdks) {
      const version = packageJson.devDependencies[sdk]!;
      expect(version, sdk).toMatch(/^\d+\.\d+\.\d+$/);
      expect(satisfies(version, packageJson.peerDependencies[sdk]!), `${sdk} ${version} in ${packageJson.peerDependencies[sdk]}`).toBe(true);
    }
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { devDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }> };
    expect(lock.packages[""]!.peerDependencies).toEqual(packageJson.peerDependencies);
    for (const sdk of sdks) expect(lock.packages[""]!.devDependencies![sdk]).toBe(packageJson.devDependencies[sdk]);
  });
});
