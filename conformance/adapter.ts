/**
 * The conformance adapter of Orbitalis for TypeScript: the kit (`orbitalis conformance`)
 * starts it once per scenario and drives it with JSON lines (conformance/ADAPTER.md).
 * Commands arrive on stdin, answers and events leave on stdout, logs go to stderr.
 *
 *   orbitalis conformance --implementation "npx tsx conformance/adapter.ts" --role plugin --bus mqtt://127.0.0.1:1883
 *
 * It uses only the public API of "orbitalis"; an adapter for another language does the same
 * with its own runtime.
 */
import { createInterface } from "node:readline";
import type { Bus, ConnectionInfo, Core as CoreType, DisconnectionDetail, OperationContext } from "orbitalis";
import type { Plugin as PluginType, RequirementOptions, SchemaSpec } from "orbitalis";
import { Core, MqttBus, NatsBus, OperationError, Plugin, RedisBus, RemoteOperationError } from "orbitalis";

type Json = Record<string, unknown>;
interface OperationSpec {
  name: string;
  input: SchemaSpec;
  output: SchemaSpec;
  policy?: Json;
  behaviour: "echo" | "fail" | "slow" | "none";
  delayMs?: number;
}

const send = (line: Json): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const log = (message: string, detail?: unknown): void =>
  void process.stderr.write(
    `${message}${detail === undefined ? "" : ` ${detail instanceof Error ? detail.message : JSON.stringify(detail)}`}\n`,
  );
const logger = { debug: () => undefined, info: log, warn: log, error: log };

function busFor(url: string): Bus {
  if (url.startsWith("nats://")) return new NatsBus({ servers: url });
  if (url.startsWith("redis://")) return new RedisBus({ url });
  return new MqttBus({ url });
}

/** The code of a failed call: the plugin's own code, or the kit's neutral name of a local failure. */
function failure(error: unknown): Json {
  if (error instanceof RemoteOperationError)
    return { code: error.remoteCode, remote: true, message: error.message };
  const codes: Json = {
    ERR_REQUEST_TIMEOUT: "TIMEOUT",
    ERR_NO_CONNECTION: "NO_CONNECTION",
    ERR_CONNECTION_CLOSED: "CLOSED",
    ERR_INVALID_PAYLOAD: "INVALID_DATA",
    ERR_ABORTED: "ABORTED",
  };
  const code = (error as { code?: string }).code ?? "";
  return { code: codes[code] ?? "OTHER", message: (error as Error).message };
}

/** `{ meta }` when it has keys, else nothing: events leave out an empty meta, as ADAPTER.md says. */
const withMeta = (meta?: Json): Json => (meta && Object.keys(meta).length > 0 ? { meta } : {});

/** The handler of one declared operation: reports what it got, then behaves as told. */
function handler(op: OperationSpec) {
  return async (data: unknown, ctx: OperationContext): Promise<unknown> => {
    send({ event: "handled", operation: op.name, data, ...withMeta(ctx.meta) });
    if (op.behaviour === "fail") throw new OperationError("E_CONFORMANCE", "failed on purpose");
    if (op.behaviour === "slow") await new Promise((resolve) => setTimeout(resolve, op.delayMs ?? 1000));
    return op.behaviour === "none" ? undefined : data;
  };
}

let orb: PluginType | CoreType | undefined;

async function start(cmd: Json): Promise<void> {
  const common = { id: cmd.id as string, bus: busFor(cmd.bus as string), root: cmd.root as string };
  const options = { ...common, timing: cmd.timing as Json, logger };
  if (cmd.role === "plugin") {
    const plugin = new Plugin({ ...options, ...pick(cmd, "maxCores", "allow", "block", "prefer") });
    for (const op of (cmd.operations ?? []) as OperationSpec[])
      plugin.operation(op.name, { input: op.input, output: op.output, ...pick(op, "policy") }, handler(op));
    orb = plugin;
  } else {
    const core = new Core({ ...options, requires: cmd.requires as Record<string, RequirementOptions> });
    for (const name of Object.keys(cmd.requires as Json))
      core.onOutput(name, (data, ctx) =>
        send({ event: "output", operation: name, data, ...withMeta(ctx.meta) }),
      );
    orb = core;
  }
  orb.on("state", (state) => send({ event: "state", state }));
  orb.on("connection", (c) => send({ event: "connection", remote: c.remote, operation: c.operation }));
  orb.on("disconnection", (c: ConnectionInfo, d: DisconnectionDetail) =>
    send({ event: "disconnection", remote: c.remote, operation: c.operation, reason: d.reason }),
  );
  orb.on("error", (e) => send({ event: "error", code: (e as { code?: string }).code, message: e.message }));
  await orb.start();
  send({ event: "started", id: common.id, epoch: orb.epoch });
}

/** The fields of `from` that are set, as an object to spread into options. */
function pick(from: object, ...keys: string[]): Json {
  const out: Json = {};
  for (const key of keys) if ((from as Json)[key] !== undefined) out[key] = (from as Json)[key];
  return out;
}

/** A command answered with a result (call, emit, close): what the result's `data` is. */
function perform(orb: PluginType | CoreType, cmd: Json): Promise<unknown> {
  const operation = cmd.operation as string;
  const meta = cmd.meta as Record<string, string> | undefined; // put on the input or output sent
  if (cmd.cmd === "close")
    return orb.close(cmd.remote as string, operation, { graceful: cmd.graceful !== false });
  if (cmd.cmd === "emit" && orb instanceof Plugin) return orb.emit(operation, cmd.data, { meta });
  if (cmd.cmd !== "call" || !(orb instanceof Core))
    throw new Error(`${JSON.stringify(cmd.cmd)}: not a command of this role`);
  const options = { to: cmd.to as string, meta, ...pick(cmd, "timeoutMs") };
  if (cmd.mode === "execute") return orb.execute(operation, cmd.data, options);
  return orb.request(operation, cmd.data, options);
}

async function run(cmd: Json): Promise<void> {
  const ref = cmd.ref;
  if (cmd.cmd === "start")
    return start(cmd).catch((error: Error) => {
      send({ event: "error", code: "START_FAILED", message: error.message });
      process.exit(1);
    });
  try {
    if (!orb) throw new Error(`${String(cmd.cmd)} before start`);
    if (cmd.cmd !== "stop") {
      const data = await perform(orb, cmd);
      return send({ event: "result", ref, ok: true, ...(data === undefined ? {} : { data }) });
    }
    await orb.stop();
    send({ event: "stopped", ref });
  } catch (error) {
    send({ event: "result", ref, ok: false, ...failure(error) });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  try {
    void run(JSON.parse(line) as Json);
  } catch {
    log(`not JSON: ${line}`);
  }
});
lines.on("close", () => void (orb?.stop() ?? Promise.resolve()).finally(() => process.exit(0)));
