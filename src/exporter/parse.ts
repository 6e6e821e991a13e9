/**
 * Pure: the text an SPU wrote on its metrics socket → the metrics model. Lenient about shape
 * (a partial document renders what it has, unknown fields are ignored), strict about values
 * (only finite, non-negative numbers count, so a counter is never rendered as garbage).
 */
import {
  DIRECTIONS,
  SMARTMODULE_FIELDS,
  SOURCES,
  type ParseResult,
  type SmartModuleCounters,
  type SmartModuleField,
  type SpuMetrics,
  type TrafficCounters,
} from "./model";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A counter value, or undefined when absent or unusable. Numbers must be finite and >= 0;
 * strings of digits are accepted too (some serialisers quote u64s). Values beyond 2^53 lose
 * precision, as they would anyway: Prometheus samples are float64.
 */
export function counterValue(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === "string" && /^\d{1,30}$/.test(value)) return Number(value);
  return undefined;
}

function trafficOf(spu: JsonObject): TrafficCounters[] {
  const traffic: TrafficCounters[] = [];
  for (const direction of DIRECTIONS) {
    const byDirection = spu[direction];
    if (!isObject(byDirection)) continue;
    for (const source of SOURCES) {
      const counters = byDirection[source];
      if (!isObject(counters)) continue;
      const records = counterValue(counters.records);
      const bytes = counterValue(counters.bytes);
      if (records !== undefined || bytes !== undefined) traffic.push({ direction, source, records, bytes });
    }
  }
  return traffic;
}

/** The valid known counters of one SmartModule's entry (an object), possibly none. */
function smartmoduleCounters(entry: JsonObject): Partial<Record<SmartModuleField, number>> {
  const counters: Partial<Record<SmartModuleField, number>> = {};
  for (const field of SMARTMODULE_FIELDS) {
    const value = counterValue(entry[field]);
    if (value !== undefined) counters[field] = value;
  }
  return counters;
}

/**
 * The document's `smartmodule` map (Fluvio 0.18.1: keyed by SmartModule name, each entry an
 * object of counters and `smartmodule_names`). Entries that are not objects, have an empty
 * name or carry no valid counter are left out; the result is sorted by name, so the rendered
 * series come in a stable order whatever order the SPU wrote.
 */
function smartmodulesOf(spu: JsonObject): SmartModuleCounters[] {
  const map = spu.smartmodule;
  if (!isObject(map)) return [];
  const entries: SmartModuleCounters[] = [];
  for (const [name, entry] of Object.entries(map)) {
    if (name === "" || !isObject(entry)) continue;
    const counters = smartmoduleCounters(entry);
    if (Object.keys(counters).length > 0) entries.push({ name, counters });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The model of an already-parsed JSON value; `invalid_document` unless it is an object with an `spu` object. */
export function metricsOfDocument(document: unknown): ParseResult {
  if (!isObject(document)) return { ok: false, error: { reason: "invalid_document", detail: "the document is not a JSON object" } };
  const spu = document.spu;
  if (!isObject(spu)) return { ok: false, error: { reason: "invalid_document", detail: 'the document has no "spu" object' } };
  const metrics: SpuMetrics = { traffic: trafficOf(spu), smartmodules: smartmodulesOf(spu) };
  return { ok: true, metrics };
}

/** Parses the text read from the socket: `empty`, `invalid_json`, `invalid_document`, or the model. */
export function parseDocument(text: string): ParseResult {
  if (text.trim() === "") return { ok: false, error: { reason: "empty", detail: "the socket closed without sending a document" } };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { reason: "invalid_json", detail: `not JSON (${message}), ${text.length} chars` } };
  }
  return metricsOfDocument(document);
}
