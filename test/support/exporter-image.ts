/**
 * A stand-in for the metrics exporter image (images/exporter/Dockerfile), for the live tier:
 * registry pulls are impossible here, so the image is this machine's `node` plus the compiled
 * dist/exporter/*.js at /app, exactly where the Dockerfile puts them. Containers run the plan's
 * `exporterCommand` (`node /app/exporter.js --socket ... --port ... --spu-id ...`) as their command.
 * Needs dist/ (vitest's global setup builds it).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildNodeImage, type ImageFile } from "./docker";

export const EXPORTER_TEST_IMAGE = "fluvio-spu-test/metrics-exporter:latest";

const DIST_EXPORTER = join(__dirname, "../../dist/exporter");

/** Builds (or reuses, when dist/exporter is unchanged) the stand-in exporter image; returns its tag. */
export function buildExporterImage(tag: string = EXPORTER_TEST_IMAGE): string {
  if (!existsSync(join(DIST_EXPORTER, "exporter.js"))) throw new Error(`${DIST_EXPORTER}/exporter.js is missing: run npm run build first`);
  const files: Record<string, ImageFile> = {};
  for (const name of readdirSync(DIST_EXPORTER).filter((file) => file.endsWith(".js")).sort()) {
    files[`/app/${name}`] = { content: readFileSync(join(DIST_EXPORTER, name), "utf8") };
  }
  return buildNodeImage(tag, files, ["node", "/app/exporter.js", "--help"]);
}
