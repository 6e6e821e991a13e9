/**
 * The exporter's data model: what one read of an SPU's metrics socket yields, independent of
 * both the JSON it came from and the Prometheus text it becomes. Parsing fills it, rendering
 * reads it, and neither does I/O, so both are tested against recorded documents alone.
 */

/** Traffic direction as Fluvio counts it: `inbound` (produced to the SPU), `outbound` (consumed from it). */
export type Direction = "inbound" | "outbound";

/** Who moved the records: a Fluvio client, or a connector. */
export type Source = "client" | "connector";

export const DIRECTIONS: readonly Direction[] = ["inbound", "outbound"];
export const SOURCES: readonly Source[] = ["client", "connector"];

/**
 * One (direction, source) pair of the document, with whichever of its two counters were
 * present and valid. A missing counter stays `undefined` and is not rendered: an absent
 * figure is not a zero, and a counter that flips between 0 and N would look like a reset.
 */
export interface TrafficCounters {
  direction: Direction;
  source: Source;
  records: number | undefined;
  bytes: number | undefined;
}

/**
 * The counters Fluvio 0.18.1 keeps per SmartModule (`bytes_in`, `records_out`, ...; there is
 * no `records_in`). Only these known fields are rendered, each under a fixed metric name, so
 * that a new or renamed field in a future Fluvio cannot add series nobody asked for.
 */
export type SmartModuleField = "bytes_in" | "records_out" | "records_err" | "invocation_count" | "fuel_used" | "cpu_ms";

export const SMARTMODULE_FIELDS: readonly SmartModuleField[] = ["bytes_in", "records_out", "records_err", "invocation_count", "fuel_used", "cpu_ms"];

/** One SmartModule of the document's `smartmodule` map: its name (the map key) and its valid counters. */
export interface SmartModuleCounters {
  name: string;
  counters: Partial<Record<SmartModuleField, number>>;
}

/** Everything a valid (possibly partial) document told us. */
export interface SpuMetrics {
  /** Only the pairs the document carried, in a fixed order (inbound before outbound, client before connector). */
  traffic: TrafficCounters[];
  /**
   * One entry per SmartModule of the document's `smartmodule` map (keyed by name in 0.18.1),
   * sorted by name; empty when the map is empty (no SmartModule runs) or absent.
   */
  smartmodules: SmartModuleCounters[];
}

/**
 * Why a scrape could not produce metrics. A closed, small set on purpose: it becomes the
 * `reason` label of `fluvio_spu_scrape_error`, and label values must stay low-cardinality
 * (an error message with a path or a byte offset in it would mint a new series per scrape).
 */
export type ScrapeErrorReason =
  | "socket_missing"
  | "permission_denied"
  | "connection_refused"
  | "connect_error"
  | "timeout"
  | "too_large"
  | "empty"
  | "invalid_json"
  | "invalid_document";

export const SCRAPE_ERROR_REASONS: readonly ScrapeErrorReason[] = [
  "socket_missing",
  "permission_denied",
  "connection_refused",
  "connect_error",
  "timeout",
  "too_large",
  "empty",
  "invalid_json",
  "invalid_document",
];

/** A failed step: the low-cardinality reason, and a human detail for the log only (never a label). */
export interface ScrapeError {
  reason: ScrapeErrorReason;
  detail: string;
}

/** The outcome of parsing one document. */
export type ParseResult = { ok: true; metrics: SpuMetrics } | { ok: false; error: ScrapeError };

/** The outcome of one scrape (socket read + parse), with how long it took; what rendering consumes. */
export type ScrapeResult = ({ ok: true; metrics: SpuMetrics } | { ok: false; error: ScrapeError }) & { durationSeconds: number };
