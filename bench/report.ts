/**
 * The benchmark's results: their shape (`bench/results/latest.json`), the targets
 * checked against them, and the Markdown tables the README's performance section shows.
 */
import type { FootprintFigures, LocalFigures } from "./local.js";
import type { CallFigures, ComplianceFigures, DetectionFigures, Transport } from "./remote.js";

/** One target: the figure, the bound it must keep, and whether it does. */
export interface Target {
  readonly name: string;
  readonly measured: number;
  readonly unit: string;
  /** `<= 1.3`, `>= 0.8`, `< 250` ... */
  readonly target: string;
  readonly met: boolean;
}

export interface BenchResults {
  readonly date: string;
  readonly durationSeconds: number;
  readonly quick: boolean;
  readonly machine: { cpu: string; cores: number; memoryGiB: number; platform: string; node: string };
  readonly versions: Record<string, string>;
  readonly local: LocalFigures;
  readonly footprint: FootprintFigures;
  readonly calls: readonly CallFigures[];
  readonly compliance: readonly ComplianceFigures[];
  readonly detection: readonly DetectionFigures[];
  targets: Target[];
}

const NAMES: Record<Transport, string> = { mqtt: "MQTT (Mosquitto)", nats: "NATS" };

function call(r: BenchResults, transport: Transport, contender: CallFigures["contender"]): CallFigures {
  const found = r.calls.find((c) => c.transport === transport && c.contender === contender);
  if (!found) throw new Error(`no ${contender} figures over ${transport}`);
  return found;
}

function bound(name: string, measured: number, unit: string, op: "<=" | ">=" | "<", limit: number): Target {
  const met = op === "<=" ? measured <= limit : op === ">=" ? measured >= limit : measured < limit;
  return {
    name,
    measured: round(measured),
    unit,
    target: `${op} ${limit}`,
    met: Number.isFinite(measured) && met,
  };
}

function round(n: number): number {
  return Number.isFinite(n) ? Number(n.toPrecision(4)) : n;
}

/** The targets, checked against `r`. */
export function targetsOf(r: BenchResults): Target[] {
  const ratio = (t: Transport, f: "requestP50Ms" | "oneWayPerSecond"): number =>
    call(r, t, "orbitalis")[f] / call(r, t, "raw")[f];
  const mqtt = call(r, "mqtt", "orbitalis");
  const hundred = r.compliance.find((c) => c.contender === "orbitalis" && c.plugins === 100);
  return [
    bound("MQTT request() p50 / raw mqtt.js", ratio("mqtt", "requestP50Ms"), "x", "<=", 1.3),
    bound("MQTT one-way execute() / raw mqtt.js", ratio("mqtt", "oneWayPerSecond"), "x", ">=", 0.8),
    bound(
      "MQTT one-way execute(): messages lost",
      mqtt.oneWaySent - mqtt.oneWayReceived,
      "messages",
      "<=",
      0,
    ),
    bound("NATS request() p50 / raw NATS", ratio("nats", "requestP50Ms"), "x", "<=", 1.3),
    bound("NATS one-way execute() / raw NATS", ratio("nats", "oneWayPerSecond"), "x", ">=", 0.5),
    bound("LocalBus execute(), validation on", r.local.executePerSecond, "msgs/s", ">=", 1_000_000),
    bound("1 core + 100 plugins compliant over Mosquitto", hundred?.ms ?? NaN, "ms", "<", 250),
  ];
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const ms = (n: number): string => `${n.toFixed(3)} ms`;
const x = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}x` : "n/a");

/** The Markdown tables of `r`. */
export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  const v = r.versions;
  lines.push(
    `Run of ${r.date.slice(0, 10)} (${r.durationSeconds} s${r.quick ? ", --quick: few samples" : ""}): ` +
      `${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; ` +
      `mqtt ${v.mqtt}, @nats-io/transport-node ${v["@nats-io/transport-node"]}, moleculer ${v.moleculer} ` +
      `(nats ${v.nats}). Brokers on 127.0.0.1 as configured (Mosquitto without \`set_tcp_nodelay\`). ` +
      "Each caller and its far side run in separate processes; raw clients send the same JSON " +
      "bytes and echo them untouched.",
    "",
    "| transport | | request p50 | p99 | p50 vs raw | requests/s (sequential) | one-way msgs/s | vs raw | received |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const transport of ["mqtt", "nats"] as const) {
    const raw = call(r, transport, "raw");
    for (const c of r.calls.filter((c) => c.transport === transport)) {
      const who =
        c.contender === "raw"
          ? `raw ${transport === "mqtt" ? "mqtt.js" : "NATS"}`
          : c.contender === "orbitalis"
            ? "**Orbitalis**"
            : "Moleculer";
      lines.push(
        `| ${NAMES[transport]} | ${who} | ${ms(c.requestP50Ms)} | ${ms(c.requestP99Ms)} | ${x(c.requestP50Ms / raw.requestP50Ms)} | ` +
          `${int(c.requestsPerSecond)} | ${int(c.oneWayPerSecond)} | ${x(c.oneWayPerSecond / raw.oneWayPerSecond)} | ${int(c.oneWayReceived)}/${int(c.oneWaySent)} |`,
      );
    }
  }
  const l = r.local;
  lines.push(
    "",
    `In one process, ${int(l.messages)} one-way messages (input schema validated by both sides):`,
    "",
    "| LocalBus | msgs/s | Orbitalis vs it |",
    "| --- | ---: | ---: |",
    `| **Orbitalis \`execute()\`** (1,000 in flight) | ${int(l.executePerSecond)} | 1.00x |`,
    `| EventEmitter + the same ajv validator | ${int(l.emitterAjvPerSecond)} | ${x(l.executePerSecond / l.emitterAjvPerSecond)} |`,
    `| bare EventEmitter | ${int(l.emitterPerSecond)} | ${x(l.executePerSecond / l.emitterPerSecond)} |`,
    "",
    `Sequential \`request()\` on the LocalBus: p50 ${ms(l.requestP50Ms)}, p99 ${ms(l.requestP99Ms)}, ` +
      `${int(l.requestsPerSecond)} requests/s. Memory: ${r.footprint.heapPerConnectionKiB.toFixed(1)} KiB of heap per ` +
      `plugin and its connection with 1 core + ${int(r.footprint.plugins)} plugins (compliant after ${int(r.footprint.compliantMs)} ms).`,
    "",
    "| plugins | Orbitalis: core start to `compliant()` | Moleculer: broker start to `waitForServices` | ratio |",
    "| ---: | ---: | ---: | ---: |",
  );
  for (const n of [...new Set(r.compliance.map((c) => c.plugins))]) {
    const o = r.compliance.find((c) => c.plugins === n && c.contender === "orbitalis");
    const m = r.compliance.find((c) => c.plugins === n && c.contender === "moleculer");
    if (!o || !m) continue;
    lines.push(`| ${n} | ${int(o.ms)} ms | ${int(m.ms)} ms | ${x(o.ms / m.ms)} |`);
  }
  lines.push(
    "",
    "A plugin process killed with SIGKILL, default timing: " +
      r.detection
        .map((d) => `over ${NAMES[d.transport]} the core knew after ${int(d.ms)} ms (${d.reason})`)
        .join("; ") +
      ".",
    "",
    "| target | measured | bound | met |",
    "| --- | ---: | ---: | :---: |",
  );
  for (const t of r.targets)
    lines.push(`| ${t.name} | ${t.measured} ${t.unit} | ${t.target} | ${t.met ? "yes" : "**no**"} |`);
  return `${lines.join("\n")}\n`;
}
