import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFlags } from "../../src/exporter/flags";
import type { ScrapeError, ScrapeResult } from "../../src/exporter/model";
import { SCRAPE_ERROR_REASONS } from "../../src/exporter/model";
import { counterValue, parseDocument } from "../../src/exporter/parse";
import { escapeLabelValue, formatValue, renderMetrics } from "../../src/exporter/render";
import { HEALTH_PATH } from "../../src/exporter/server";
import { socketErrorOf } from "../../src/exporter/socket";
import { CONTAINER_PATHS, EXPORTER_HEALTH_PATH } from "../../src/plan/layout";
import { samples } from "../support/prometheus";

const FIXTURES = join(__dirname, "../fixtures/exporter");
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");

/** Parse a fixture and render it as one successful scrape of 2 ms. */
function renderFixture(name: string, spu = "5001"): string {
  const parsed = parseDocument(fixture(name));
  if (!parsed.ok) throw new Error(`${name} did not parse: ${parsed.error.reason}`);
  return renderMetrics(spu, { ok: true, metrics: parsed.metrics, durationSeconds: 0.002 });
}

function failed(reason: ScrapeError["reason"]): ScrapeResult {
  return { ok: false, error: { reason, detail: "some detail with /a/path and \"quotes\"" }, durationSeconds: 0.5 };
}


const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(?:${LABEL}(?:,${LABEL})*)?\\})? (NaN|[+-]Inf|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)$`);

/**
 * Checks the Prometheus text format 0.0.4 rules a scraper relies on: every sample belongs to
 * a family announced by one HELP and one TYPE line before it, families are contiguous and
 * not repeated, names and labels are well-formed, the text ends with a newline. Returns the problems.
 */
function formatProblems(text: string): string[] {
  const problems: string[] = [];
  if (!text.endsWith("\n")) problems.push("does not end with a newline");
  const help = new Set<string>();
  const type = new Map<string, string>();
  const finished = new Set<string>();
  let current: string | undefined;
  for (const line of (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n")) {
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) problems.push(`bad metric name ${name}`);
      if (current !== undefined && current !== name) finished.add(current);
      if (finished.has(name)) problems.push(`family ${name} repeated`);
      current = name;
      if (kind === "HELP") {
        if (help.has(name)) problems.push(`two HELP lines for ${name}`);
        if (/(^|[^\\])\\[^\\n]/.test(rest)) problems.push(`bad escape in HELP of ${name}`);
        help.add(name);
      } else {
        if (type.has(name)) problems.push(`two TYPE lines for ${name}`);
        if (!["counter", "gauge", "untyped", "summary", "histogram"].includes(rest)) problems.push(`bad type ${rest}`);
        type.set(name, rest);
      }
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) {
      problems.push(`malformed line: ${line}`);
      continue;
    }
    const name = sample[1] as string;
    if (name !== current) problems.push(`sample ${name} outside its family block`);
    if (!help.has(name) || !type.has(name)) problems.push(`sample ${name} without HELP and TYPE`);
    if (type.get(name) === "counter" && Number(sample[2]) < 0) problems.push(`negative counter ${line}`);
  }
  return problems;
}

describe("parseDocument", () => {
  it("reads every counter of a full document in the shape Fluvio 0.18.1 emits: smartmodule keyed by SmartModule name", () => {
    const parsed = parseDocument(fixture("full.json"));
    expect(parsed).toEqual({
      ok: true,
      metrics: {
        traffic: [
          { direction: "inbound", source: "client", records: 53421, bytes: 7340032 },
          { direction: "inbound", source: "connector", records: 1200, bytes: 98304 },
          { direction: "outbound", source: "client", records: 106842, bytes: 14680064 },
          { direction: "outbound", source: "connector", records: 0, bytes: 0 },
        ],
        smartmodules: [
          { name: "infinyon/jolt@0.4.1", counters: { bytes_in: 4096, records_out: 37, records_err: 2, invocation_count: 41, fuel_used: 918273, cpu_ms: 250 } },
          { name: "regex-filter", counters: { bytes_in: 512, records_out: 9, records_err: 0, invocation_count: 12, fuel_used: 20480, cpu_ms: 4 } },
        ],
      },
    });
  });

  it("reads a pretty-printed document whose smartmodule map is empty (no SmartModule runs)", () => {
    const parsed = parseDocument(fixture("empty-smartmodule.json"));
    expect(parsed.ok && parsed.metrics.traffic).toHaveLength(4);
    expect(parsed.ok && parsed.metrics.smartmodules).toEqual([]);
  });

  it("sorts SmartModules by name, whatever order the SPU wrote them in", () => {
    const parsed = parseDocument('{"spu":{"smartmodule":{"b":{"invocation_count":2},"a":{"invocation_count":1}}}}');
    expect(parsed.ok && parsed.metrics.smartmodules.map((each) => each.name)).toEqual(["a", "b"]);
  });

  it("takes nothing from the flat smartmodule counters of no release (numbers where 0.18.1 has SmartModule entries)", () => {
    const parsed = parseDocument('{"spu":{"smartmodule":{"bytes_in":4096,"records_out":37,"invocation_count":41,"smartmodule_names":["x"]}}}');
    expect(parsed).toEqual({ ok: true, metrics: { traffic: [], smartmodules: [] } });
  });

  it("keeps what a partial document has and drops only what is missing or not an object", () => {
    expect(parseDocument(fixture("partial.json"))).toEqual({
      ok: true,
      metrics: {
        traffic: [{ direction: "inbound", source: "client", records: 7, bytes: undefined }],
        // "broken" is not an object and "" has no name: both left out.
        smartmodules: [{ name: "my-filter", counters: { invocation_count: 3 } }],
      },
    });
    expect(parseDocument(fixture("empty-spu.json"))).toEqual({ ok: true, metrics: { traffic: [], smartmodules: [] } });
  });

  it("ignores extra fields: unknown sources, unknown SmartModule figures (records_in is not 0.18.1's), unknown sections", () => {
    const parsed = parseDocument(fixture("extra-fields.json"));
    if (!parsed.ok) throw new Error("extra-fields.json must parse");
    expect(parsed.metrics.traffic.map((pair) => `${pair.direction}/${pair.source}=${pair.records}/${pair.bytes}`)).toEqual([
      "inbound/client=1/2",
      "inbound/connector=3/4",
      "outbound/client=5/6",
      "outbound/connector=7/8",
    ]);
    expect(parsed.metrics.smartmodules).toEqual([{ name: "sm-a", counters: { bytes_in: 1 } }]);
  });

  it("keeps huge numbers as the float64 Prometheus stores anyway, including quoted u64s", () => {
    const parsed = parseDocument(fixture("huge-numbers.json"));
    if (!parsed.ok) throw new Error("huge-numbers.json must parse");
    const [client, connector] = parsed.metrics.traffic;
    expect(client).toMatchObject({ records: 18446744073709551615, bytes: 9007199254740992 });
    expect(connector).toMatchObject({ records: 18446744073709551615, bytes: 1e21 });
  });

  it("drops values that are not finite non-negative numbers", () => {
    const parsed = parseDocument(fixture("bad-values.json"));
    expect(parsed).toEqual({
      ok: true,
      metrics: { traffic: [{ direction: "outbound", source: "client", records: 1.5, bytes: undefined }], smartmodules: [] },
    });
    for (const bad of [-1, Number.NaN, Infinity, "1e3", "", " 1", true, null, {}, [1]]) expect(counterValue(bad)).toBeUndefined();
    expect(counterValue("42")).toBe(42);
    expect(counterValue(0)).toBe(0);
  });

  it("names why a document is unusable, with a low-cardinality reason", () => {
    const reasonOf = (text: string): string | undefined => {
      const parsed = parseDocument(text);
      return parsed.ok ? undefined : parsed.error.reason;
    };
    expect(reasonOf(fixture("empty.json"))).toBe("empty");
    expect(reasonOf(" \n\t")).toBe("empty");
    expect(reasonOf(fixture("truncated.json"))).toBe("invalid_json");
    expect(reasonOf(fixture("garbage.bin"))).toBe("invalid_json");
    expect(reasonOf('{"spu":{}}{"spu":{}}')).toBe("invalid_json");
    expect(reasonOf(fixture("no-spu.json"))).toBe("invalid_document");
    expect(reasonOf(fixture("array.json"))).toBe("invalid_document");
    expect(reasonOf('{"spu":[1,2]}')).toBe("invalid_document");
    expect(reasonOf("null")).toBe("invalid_document");
    expect(reasonOf("12")).toBe("invalid_document");
  });
});

describe("renderMetrics", () => {
  it("renders a full document as the recorded exposition", () => {
    expect(renderFixture("full.json")).toBe(fixture("full.prom"));
  });

  it("produces valid text format 0.0.4 for every fixture and every failure reason", () => {
    const texts = ["full.json", "empty-smartmodule.json", "partial.json", "extra-fields.json", "huge-numbers.json", "bad-values.json", "empty-spu.json"].map(
      (name) => renderFixture(name),
    );
    texts.push(...SCRAPE_ERROR_REASONS.map((reason) => renderMetrics("5001", failed(reason))));
    for (const text of texts) expect(formatProblems(text)).toEqual([]);
  });

  it("has a format checker that catches what it claims to", () => {
    expect(formatProblems('x{a="1"} 1\n')).toEqual(["sample x outside its family block", "sample x without HELP and TYPE"]);
    expect(formatProblems('# HELP x h\n# TYPE x counter\nx{a="\\q"} 1\n')).toEqual(['malformed line: x{a="\\q"} 1']);
    expect(formatProblems("# HELP x h\n# TYPE x counter\nx -1\n# HELP y h\n# TYPE y gauge\ny 1\nx 2")).toEqual([
      "does not end with a newline",
      "negative counter x -1",
      "sample x outside its family block",
    ]);
  });

  it("renders the counters with the SPU id, direction and source as labels", () => {
    const values = samples(renderFixture("full.json", "5003"));
    expect(values.get('fluvio_spu_records_total{spu="5003",direction="inbound",source="client"}')).toBe(53421);
    expect(values.get('fluvio_spu_bytes_total{spu="5003",direction="outbound",source="client"}')).toBe(14680064);
    expect(values.get('fluvio_spu_records_total{spu="5003",direction="inbound",source="connector"}')).toBe(1200);
    expect(values.get('fluvio_spu_bytes_total{spu="5003",direction="outbound",source="connector"}')).toBe(0);
    expect(values.get('fluvio_spu_smartmodule_cpu_seconds_total{spu="5003",smartmodule="infinyon/jolt@0.4.1"}')).toBe(0.25);
    expect(values.get('fluvio_spu_smartmodule_cpu_seconds_total{spu="5003",smartmodule="regex-filter"}')).toBe(0.004);
    expect(values.get('fluvio_spu_smartmodule_invocations_total{spu="5003",smartmodule="regex-filter"}')).toBe(12);
    expect([...values.keys()].filter((key) => key.startsWith("fluvio_spu_smartmodule_"))).toHaveLength(12);
    expect([...values.keys()].some((key) => key.includes("records_in"))).toBe(false);
    expect(values.get('fluvio_spu_up{spu="5003"}')).toBe(1);
    expect(values.get('fluvio_spu_scrape_duration_seconds{spu="5003"}')).toBe(0.002);
    expect([...values.keys()].some((key) => key.startsWith("fluvio_spu_scrape_error"))).toBe(false);
  });

  it("renders what a partial document has and leaves out families without samples", () => {
    const text = renderFixture("partial.json");
    expect(formatProblems(text)).toEqual([]);
    expect(text).toContain('fluvio_spu_records_total{spu="5001",direction="inbound",source="client"} 7\n');
    expect(text).not.toContain("fluvio_spu_bytes_total");
    expect(text).toContain('fluvio_spu_smartmodule_invocations_total{spu="5001",smartmodule="my-filter"} 3\n');
    expect(text).toContain('fluvio_spu_up{spu="5001"} 1\n');
    const empty = renderFixture("empty-spu.json");
    expect(empty.split("\n").filter((line) => line.startsWith("# TYPE"))).toEqual([
      "# TYPE fluvio_spu_up gauge",
      "# TYPE fluvio_spu_scrape_duration_seconds gauge",
    ]);
    expect(renderFixture("empty-smartmodule.json")).not.toContain("smartmodule");
  });

  it("spells huge numbers as floats a Prometheus parser accepts", () => {
    const values = samples(renderFixture("huge-numbers.json"));
    expect(values.get('fluvio_spu_records_total{spu="5001",direction="inbound",source="client"}')).toBe(18446744073709551615);
    expect(renderFixture("huge-numbers.json")).toContain('fluvio_spu_bytes_total{spu="5001",direction="inbound",source="connector"} 1e+21\n');
    expect([formatValue(Number.NaN), formatValue(Infinity), formatValue(-Infinity), formatValue(0.25)]).toEqual(["NaN", "+Inf", "-Inf", "0.25"]);
  });

  it("on a failed scrape renders up 0, the reason and the duration, and no stale counters", () => {
    const text = renderMetrics("5001", failed("timeout"));
    expect(samples(text)).toEqual(
      new Map([
        ['fluvio_spu_up{spu="5001"}', 0],
        ['fluvio_spu_scrape_error{spu="5001",reason="timeout"}', 1],
        ['fluvio_spu_scrape_duration_seconds{spu="5001"}', 0.5],
      ]),
    );
    expect(text).not.toContain("/a/path");
  });

  it("escapes label values", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderFixture("partial.json", 'we"ird\\id\n');
    expect(formatProblems(text)).toEqual([]);
    expect(text).toContain('fluvio_spu_up{spu="we\\"ird\\\\id\\n"} 1\n');
    const odd = parseDocument(JSON.stringify({ spu: { smartmodule: { 'my"sm\\\nx': { invocation_count: 1 } } } }));
    if (!odd.ok) throw new Error("must parse");
    const oddText = renderMetrics("5001", { ok: true, metrics: odd.metrics, durationSeconds: 0.001 });
    expect(formatProblems(oddText)).toEqual([]);
    expect(oddText).toContain('fluvio_spu_smartmodule_invocations_total{spu="5001",smartmodule="my\\"sm\\\\\\nx"} 1\n');
  });
});

describe("parseFlags", () => {
  const base = ["--socket", "/var/run/fluvio-metrics/spu.sock", "--port", "9201", "--spu-id", "5001"];

  it("accepts the plan's exporterCommand argv and applies the defaults", () => {
    expect(parseFlags(base)).toEqual({
      kind: "ok",
      flags: { socketPath: "/var/run/fluvio-metrics/spu.sock", port: 9201, spuId: "5001", host: "0.0.0.0", timeoutMs: 2000 },
    });
  });

  it("accepts the optional flags, in either spelling", () => {
    expect(parseFlags([...base, "--host", "127.0.0.1", "--timeout-ms=500"])).toMatchObject({ kind: "ok", flags: { host: "127.0.0.1", timeoutMs: 500 } });
    expect(parseFlags(["--socket=/s", "--port=1", "--spu-id=0"])).toMatchObject({ kind: "ok", flags: { socketPath: "/s", port: 1, spuId: "0" } });
    expect(parseFlags(["--help"])).toEqual({ kind: "help" });
  });

  it.each([
    [[], /missing --socket, --port, --spu-id/],
    [["--socket", "/s", "--port", "9201"], /missing --spu-id/],
    [[...base, "--verbose"], /unknown argument "--verbose"/],
    [["--socket", "/s", "--port", "http", "--spu-id", "1"], /--port must be an integer 1-65535, got "http"/],
    [["--socket", "/s", "--port", "70000", "--spu-id", "1"], /--port must be an integer 1-65535, got 70000/],
    [["--socket", "/s", "--port", "0", "--spu-id", "1"], /--port must be an integer/],
    [["--socket", "/s", "--port", "9201", "--spu-id", "spu-1"], /--spu-id must be the SPU's integer id, got "spu-1"/],
    [[...base, "--timeout-ms", "0"], /--timeout-ms must be an integer 1-600000/],
    [[...base, "--port", "9202"], /--port given twice/],
    [["--socket", "--port", "9201", "--spu-id", "1"], /--socket needs a value/],
    [[...base, "--host"], /--host needs a value/],
    [["--socket=", "--port", "9201", "--spu-id", "1"], /--socket must be a path/],
  ])("rejects %j with a one-line error", (argv, message) => {
    const result = parseFlags(argv);
    expect(result.kind).toBe("error");
    if (result.kind !== "error") return;
    expect(result.message).toMatch(message);
    expect(result.message).not.toContain("\n");
  });
});

describe("the contract with the plan", () => {
  it("serves health on the plan's EXPORTER_HEALTH_PATH (kept as a copy: the exporter imports nothing outside src/exporter)", () => {
    expect(HEALTH_PATH).toBe(EXPORTER_HEALTH_PATH);
    expect(CONTAINER_PATHS.exporterMain).toBe("/app/exporter.js");
  });

  it("imports only Node builtins and its own folder, so plain node runs it from /app", () => {
    const dir = join(__dirname, "../../src/exporter");
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".ts"))) {
      const imports = [...readFileSync(join(dir, file), "utf8").matchAll(/(?:from|import)\s+"([^"]+)"/g)].map((match) => match[1] as string);
      expect(imports.filter((spec) => !spec.startsWith("node:") && !/^\.\/[a-z-]+$/.test(spec)), file).toEqual([]);
    }
  });
});

describe("socketErrorOf", () => {
  const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`connect ${code} /s`), { code });

  it("maps connect errors to the fixed reasons", () => {
    expect(socketErrorOf(error("ENOENT"), "/s").reason).toBe("socket_missing");
    expect(socketErrorOf(error("EACCES"), "/s").reason).toBe("permission_denied");
    expect(socketErrorOf(error("ECONNREFUSED"), "/s").reason).toBe("connection_refused");
    expect(socketErrorOf(error("ENOTSOCK"), "/s").reason).toBe("connect_error");
    expect(socketErrorOf(new Error("boom"), "/s").reason).toBe("connect_error");
  });
});
