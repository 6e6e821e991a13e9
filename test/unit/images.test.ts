/**
 * The image check before anything is created (src/preflight/images.ts), against an engine that
 * answers on a Unix socket the way Docker's API does: one probe per image and program, and one
 * line per image that names the key, the image, the program and every container that runs it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkImagesStart, imageStartError, type ImageEntry } from "../../src/preflight/images";

describe("images that cannot start their program", () => {
  const dir = mkdtempSync(join(tmpdir(), "fluvio-spu-images-"));
  const socket = join(dir, "engine.sock");
  const requests: string[] = [];
  let server: Server;

  beforeAll(async () => {
    let next = 0;
    const images = new Map<string, string>();
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        requests.push(`${request.method} ${request.url}`);
        if (request.method === "POST" && request.url === "/containers/create") {
          const image = (JSON.parse(body) as { Image: string }).Image;
          if (image === "missing:1") return response.writeHead(404).end("{}");
          const id = `probe${next++}`;
          images.set(id, image);
          return response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ Id: id }));
        }
        const archive = /^\/containers\/(\w+)\/archive\?path=(.*)$/.exec(request.url ?? "");
        if (request.method === "HEAD" && archive) {
          // Only `cli-without-sh:1` lacks /bin/sh.
          const lacks = images.get(archive[1] as string) === "cli-without-sh:1" && decodeURIComponent(archive[2] as string) === "/bin/sh";
          return response.writeHead(lacks ? 404 : 200).end();
        }
        return response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });

  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = (role: string, image: string, program: string, container: string): ImageEntry => ({ role, image, program, container });

  it("probes each image and program once, names every container that runs it, and removes its probes", async () => {
    const found = await checkImagesStart(socket, [
      entry("fluvio", "fluvio:1", "/fluvio-run", "c-sc"),
      entry("cli", "cli-without-sh:1", "/bin/sh", "c-spu-sync"),
      entry("cli", "cli-without-sh:1", "/bin/sh", "c-spu-5002-register"),
      entry("cli", "cli-without-sh:1", "/bin/sh", "c-spu-5001-register"),
      entry("exporter", "missing:1", "/usr/bin/node", "c-exporter"),
    ]);
    expect(requests.filter((line) => line === "POST /containers/create")).toHaveLength(3);
    expect(requests.filter((line) => line.startsWith("DELETE /containers/probe"))).toHaveLength(2);
    expect(found.map((item) => [item.entry.image, item.reason, item.containers])).toEqual([["cli-without-sh:1", "has no /bin/sh", ["c-spu-5001-register", "c-spu-5002-register", "c-spu-sync"]]]);
    const error = imageStartError({ stack: "dev" }, found);
    expect(error?.message).toContain("images.cli: cli-without-sh:1 has no /bin/sh, which c-spu-5001-register and 2 other containers run (/bin/sh): build the registration image");
    expect(imageStartError({ stack: "dev" }, [])).toBeUndefined();
  });

  it("one container running it is named alone", () => {
    const error = imageStartError({ stack: "dev" }, [{ entry: entry("fluvio", "busybox:1", "/fluvio-run", "c-sc"), reason: "has no /fluvio-run", containers: ["c-sc"] }]);
    expect(error?.message).toContain("images.fluvio: busybox:1 has no /fluvio-run, which c-sc runs (/fluvio-run): set images.fluvio");
  });
});
