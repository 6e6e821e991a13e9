/**
 * One scrape = one socket read + parse, timed. Concurrent scrapes share the read in flight
 * (Prometheus HA pairs scrape at the same moment): the SPU sees one connection, and a burst of
 * scrapes costs one read's memory, not one per request.
 */
import { performance } from "node:perf_hooks";
import type { ScrapeResult } from "./model";
import { parseDocument } from "./parse";
import { readSocket } from "./socket";

/** Where and how long to read. */
export interface ScrapeOptions {
  socketPath: string;
  timeoutMs: number;
  maxBytes?: number;
}

/** Reads and parses once, never rejects. */
export async function scrapeOnce(options: ScrapeOptions): Promise<ScrapeResult> {
  const start = performance.now();
  const read = await readSocket(options.socketPath, options.timeoutMs, options.maxBytes);
  const parsed = read.ok ? parseDocument(read.text) : read;
  const durationSeconds = (performance.now() - start) / 1000;
  return parsed.ok ? { ok: true, metrics: parsed.metrics, durationSeconds } : { ok: false, error: parsed.error, durationSeconds };
}

/** A scrape function that joins the read in flight, if any, instead of starting another. */
export function sharedScraper(options: ScrapeOptions): () => Promise<ScrapeResult> {
  let inFlight: Promise<ScrapeResult> | undefined;
  return () => {
    if (inFlight === undefined) {
      inFlight = scrapeOnce(options).finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };
}
