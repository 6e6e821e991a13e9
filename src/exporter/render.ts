/**
 * Pure: a scrape result → Prometheus text exposition format 0.0.4. Every sample belongs to a
 * family announced by `# HELP` and `# TYPE` lines, every label value is escaped, and every
 * series carries the SPU id as its `spu` label.
 */
import type { ScrapeResult, SmartModuleCounters, SmartModuleField, SpuMetrics, TrafficCounters } from "./model";

/** The Content-Type of what `renderMetrics` returns. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Prometheus metric types used here. */
type MetricType = "counter" | "gauge";

/** One sample: its labels (in order) and value. */
interface Sample {
  labels: Array<[string, string]>;
  value: number;
}

/** One metric family: the unit a `# HELP` / `# TYPE` pair announces. */
interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** Escapes a label value: backslash, double quote and line feed, as the text format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as the text format spells it (`NaN`, `+Inf`, `-Inf` for the non-finite ones). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function renderFamily(family: Family): string {
  let text = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
  for (const sample of family.samples) {
    const labels = sample.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",");
    text += `${family.name}{${labels}} ${formatValue(sample.value)}\n`;
  }
  return text;
}

function trafficFamily(spu: string, traffic: TrafficCounters[], field: "records" | "bytes", name: string, help: string): Family {
  const samples: Sample[] = [];
  for (const pair of traffic) {
    const value = pair[field];
    if (value === undefined) continue;
    samples.push({ labels: [["spu", spu], ["direction", pair.direction], ["source", pair.source]], value });
  }
  return { name, help, type: "counter", samples };
}

/** Known SmartModule fields → metric name, help, and the factor to base units (ms → s). */
const SMARTMODULE_METRICS: ReadonlyArray<{ field: SmartModuleField; name: string; help: string; scale: number }> = [
  { field: "bytes_in", name: "fluvio_spu_smartmodule_bytes_in_total", help: "Bytes fed into this SmartModule on this SPU.", scale: 1 },
  { field: "records_out", name: "fluvio_spu_smartmodule_records_out_total", help: "Records this SmartModule emitted on this SPU.", scale: 1 },
  { field: "records_err", name: "fluvio_spu_smartmodule_record_errors_total", help: "Records on which this SmartModule failed on this SPU.", scale: 1 },
  { field: "invocation_count", name: "fluvio_spu_smartmodule_invocations_total", help: "Invocations of this SmartModule on this SPU.", scale: 1 },
  { field: "fuel_used", name: "fluvio_spu_smartmodule_fuel_used_total", help: "WebAssembly fuel this SmartModule used on this SPU.", scale: 1 },
  { field: "cpu_ms", name: "fluvio_spu_smartmodule_cpu_seconds_total", help: "CPU time spent in this SmartModule on this SPU, in seconds.", scale: 1 / 1000 },
];

/** One family per known field, one sample per SmartModule that has it, labelled `spu` and `smartmodule` (its name). */
function smartmoduleFamilies(spu: string, smartmodules: readonly SmartModuleCounters[]): Family[] {
  return SMARTMODULE_METRICS.map((metric) => ({
    name: metric.name,
    help: metric.help,
    type: "counter" as const,
    samples: smartmodules.flatMap((smartmodule): Sample[] => {
      const value = smartmodule.counters[metric.field];
      return value === undefined ? [] : [{ labels: [["spu", spu], ["smartmodule", smartmodule.name]], value: value * metric.scale }];
    }),
  }));
}

function metricFamilies(spu: string, metrics: SpuMetrics): Family[] {
  return [
    trafficFamily(spu, metrics.traffic, "records", "fluvio_spu_records_total", "Records moved by this SPU, by direction (inbound: produced, outbound: consumed) and source (client or connector)."),
    trafficFamily(spu, metrics.traffic, "bytes", "fluvio_spu_bytes_total", "Bytes moved by this SPU, by direction (inbound: produced, outbound: consumed) and source (client or connector)."),
    ...smartmoduleFamilies(spu, metrics.smartmodules),
  ].filter((family) => family.samples.length > 0);
}

function statusFamilies(spu: string, result: ScrapeResult): Family[] {
  const families: Family[] = [
    {
      name: "fluvio_spu_up",
      help: "1 when the SPU's metrics socket answered with a valid document on this scrape, 0 otherwise.",
      type: "gauge",
      samples: [{ labels: [["spu", spu]], value: result.ok ? 1 : 0 }],
    },
  ];
  if (!result.ok) {
    families.push({
      name: "fluvio_spu_scrape_error",
      help: "Set to 1 with the reason when this scrape could not read the SPU's metrics (absent when it could).",
      type: "gauge",
      samples: [{ labels: [["spu", spu], ["reason", result.error.reason]], value: 1 }],
    });
  }
  families.push({
    name: "fluvio_spu_scrape_duration_seconds",
    help: "Time this scrape took to read and parse the SPU's metrics socket.",
    type: "gauge",
    samples: [{ labels: [["spu", spu]], value: result.durationSeconds }],
  });
  return families;
}

/**
 * Renders one scrape: the SPU's counters (when the read succeeded; families without samples
 * are left out), then `fluvio_spu_up`, `fluvio_spu_scrape_error` (on failure) and
 * `fluvio_spu_scrape_duration_seconds`.
 */
export function renderMetrics(spu: string, result: ScrapeResult): string {
  const families = [...(result.ok ? metricFamilies(spu, result.metrics) : []), ...statusFamilies(spu, result)];
  return families.map(renderFamily).join("");
}
