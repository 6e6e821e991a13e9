/**
 * Python for the engine tier: a virtualenv with `pulumi` from PyPI at @pulumi/pulumi's version,
 * made once and cached under ~/.cache/fluvio-spu/python/ (creating it and the pip install take a
 * minute or two; later runs reuse it), and per run a light virtualenv that sees the cached one's
 * packages and gets the SDK the Pulumi CLI generated, installed with pip.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const PYTHON_CACHE = join(process.env.FLUVIO_SPU_PYTHON_CACHE ?? join(homedir(), ".cache", "fluvio-spu", "python"));

/** The Python the tier runs (3.11, as the Python host was seen working with), or undefined when none is installed. */
export function findPython(): string | undefined {
  for (const candidate of ["python3.11", "python3"]) {
    const probe = spawnSync(candidate, ["-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
    if (probe.status === 0 && /^3\.(9|1\d)$/.test(probe.stdout.trim())) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1" } });
  if (result.status !== 0) throw new Error(`${what} failed (${command} ${args.join(" ")}):\n${result.stdout}\n${result.stderr}`);
}

/**
 * The cached virtualenv with `pulumi==<version>` (and what a generated SDK builds and runs
 * with: wheel, parver, semver). Made in a folder of its own and renamed into place, so two runs
 * at once never see half of one.
 */
export function cachedPulumiVenv(python: string, version: string): string {
  const dir = join(PYTHON_CACHE, `venv-pulumi-${version}`);
  if (existsSync(join(dir, "ready"))) return dir;
  mkdirSync(PYTHON_CACHE, { recursive: true });
  const building = `${dir}.build-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  run(python, ["-m", "venv", building], "creating the Python virtualenv");
  run(join(building, "bin", "python"), ["-m", "pip", "install", "-q", `pulumi==${version}`, "wheel", "parver>=0.2.1", "semver>=2.8.1"], "pip install pulumi");
  writeFileSync(join(building, "ready"), `pulumi==${version}\n`);
  try {
    renameSync(building, dir);
  } catch {
    // Another run put its own in place first: use that one.
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/**
 * A virtualenv for one run in `dir`: it sees the cached one's packages (a .pth file) and holds
 * the SDK at `sdk` (a folder with pyproject.toml), installed by pip as a user would install it.
 */
export function runVenv(python: string, cached: string, dir: string, sdk: string): string {
  run(python, ["-m", "venv", "--without-pip", dir], "creating the run's virtualenv");
  const minor = spawnSync(join(dir, "bin", "python"), ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" }).stdout.trim();
  writeFileSync(join(dir, "lib", `python${minor}`, "site-packages", "fluvio-spu-cached.pth"), `${join(cached, "lib", `python${minor}`, "site-packages")}\n`);
  run(join(cached, "bin", "python"), ["-m", "pip", "--python", join(dir, "bin", "python"), "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", sdk], "pip install of the generated SDK");
  return dir;
}
