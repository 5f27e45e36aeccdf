/**
 * Scenarios: one YAML file each (spec/conformance/scenarios/), read and checked before
 * anything runs. A file that breaks the format is a {@link ScenarioError} naming the file,
 * the step and what is wrong (`hs-offer.yaml: step 3: unknown action "sned"`).
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { references } from "./template.js";

/** The role of the implementation under test in a scenario. */
export type Role = "plugin" | "core";

/** The bus kinds a scenario may be limited to. */
export const BUS_KINDS = ["mqtt", "nats", "redis"] as const;

/** A scripted orb the kit plays. */
export interface PeerSpec {
  readonly name: string;
  readonly id: string;
  readonly epoch?: string;
  /** Answer keepalive-requests and send keepalives to the implementation (default true). */
  readonly keepalive: boolean;
  /** Acknowledge graceful closes from the implementation (default true). */
  readonly autoAck: boolean;
}

/** One step; `action` says which, the other fields are the step's own (templates unresolved). */
export interface Step {
  /** 1-based position in the file. */
  readonly index: number;
  readonly action: Action;
  /** The action's value (`send: discover` -> "discover"). */
  readonly arg: unknown;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A scenario as read from its file. */
export interface Scenario {
  readonly id: string;
  readonly file: string;
  readonly rule: string;
  readonly role: Role;
  readonly title: string;
  readonly buses?: readonly string[];
  readonly peers: readonly PeerSpec[];
  /** Fields of the start command (templates unresolved). */
  readonly start: Readonly<Record<string, unknown>>;
  readonly steps: readonly Step[];
}

/** What a step may hold besides its action, per action. */
const STEP_FIELDS = {
  send: ["from", "to", "fields", "envelope", "omit", "payload", "retain", "as"],
  expect: ["from", "topic", "where", "within", "as", "fresh", "after"],
  expectNone: ["from", "topic", "where", "for"],
  command: ["args", "result", "within", "as", "background"],
  event: ["where", "within", "as"],
  noEvent: ["where", "for"],
  start: ["within"],
  kill: [],
  restart: ["within"],
  wait: [],
  silence: [],
} as const;

/** The step actions (see conformance/SCENARIOS.md). */
export type Action = keyof typeof STEP_FIELDS;
const ACTIONS = Object.keys(STEP_FIELDS) as Action[];
const COMMANDS = ["call", "emit", "close", "stop"];
const TOP_FIELDS = ["id", "rule", "role", "title", "buses", "peers", "start", "steps", "note"];
/** Scope names every scenario has (see SCENARIOS.md). */
export const SCOPE_NAMES = ["impl", "implEpoch", "root", "timing", "start"];

/** A scenario file that breaks the format. */
export class ScenarioError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads and checks one scenario file. @throws ScenarioError. */
export async function loadScenario(file: string, display = file): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ScenarioError(`${display}: cannot read: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ScenarioError(`${display}: not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  return checkScenario(doc, display);
}

/** Checks a parsed scenario document. @throws ScenarioError naming `display` and the step. */
export function checkScenario(doc: unknown, display: string): Scenario {
  const fail = (what: string): never => {
    throw new ScenarioError(`${display}: ${what}`);
  };
  if (!isObj(doc)) return fail("not a mapping");
  for (const key of Object.keys(doc))
    if (!TOP_FIELDS.includes(key)) fail(`unknown field "${key}" (known: ${TOP_FIELDS.join(", ")})`);
  const text = (key: string): string => {
    const v = doc[key];
    return typeof v === "string" && v !== "" ? v : fail(`"${key}" must be a non-empty string`);
  };
  const id = text("id");
  const expectedId = basename(display).replace(/\.ya?ml$/, "");
  if (id !== expectedId) fail(`id "${id}" differs from the file name "${expectedId}"`);
  const rule = text("rule");
  const title = text("title");
  const role = text("role");
  if (role !== "plugin" && role !== "core") return fail(`role must be plugin or core, found "${role}"`);
  let buses: string[] | undefined;
  if (doc.buses !== undefined) {
    if (!Array.isArray(doc.buses) || doc.buses.some((b) => !(BUS_KINDS as readonly unknown[]).includes(b)))
      fail(`buses must be a list of ${BUS_KINDS.join(", ")}`);
    buses = doc.buses as string[];
  }
  const peers = checkPeers(doc.peers, role, fail);
  const start = doc.start ?? {};
  if (!isObj(start)) return fail(`"start" must be a mapping`);
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) fail(`"steps" must be a non-empty list`);
  const known = new Set([...SCOPE_NAMES, ...peers.map((p) => p.name)]);
  const checkRefs = (value: unknown, where: string): void => {
    for (const ref of references(value)) {
      const head = ref.split(".")[0]!;
      if (!known.has(head))
        fail(`${where}: unknown reference \${${ref}} (known here: ${[...known].join(", ")})`);
    }
  };
  checkRefs(start, "start");
  let started = false;
  const before: string[] = []; // the kit's own actions (send, wait) before the first other step
  const steps = (doc.steps as unknown[]).map((raw, i) => {
    const step = checkStep(raw, i + 1, peers, (what) => fail(`step ${i + 1}: ${what}`));
    // `start` (at most one) says where the implementation starts; before it, only the kit acts.
    if (step.action === "start") {
      if (before.length < i)
        fail(`step ${i + 1}: one "start" at most, before any step that needs the implementation`);
      started = true;
    } else if (!started && ["send", "wait"].includes(step.action)) before.push(step.action);
    checkRefs(step.fields, `step ${i + 1}`);
    checkRefs(step.arg, `step ${i + 1}`);
    const after = step.fields.after;
    if (after !== undefined && (typeof after !== "string" || !known.has(after)))
      fail(
        `step ${i + 1}: "after" must name a message captured by an earlier step, found ${JSON.stringify(after)}`,
      );
    const as = step.fields.as;
    if (as !== undefined) {
      if (typeof as !== "string" || !/^[A-Za-z][A-Za-z0-9_]*$/.test(as) || known.has(as))
        return fail(
          `step ${i + 1}: "as" must be a new name (letters, digits, _), found ${JSON.stringify(as)}`,
        );
      known.add(as);
    }
    return step;
  });
  return {
    id,
    file: display,
    rule,
    role: role,
    title,
    ...(buses ? { buses } : {}),
    peers,
    start,
    steps,
  };
}

function checkPeers(value: unknown, role: Role, fail: (what: string) => never): PeerSpec[] {
  const defaultId = role === "plugin" ? "kit-core" : "kit-plugin";
  if (value === undefined) return [{ name: "kit", id: defaultId, keepalive: true, autoAck: true }];
  if (!isObj(value) || Object.keys(value).length === 0)
    return fail(`"peers" must be a mapping of names to scripted orbs`);
  return Object.entries(value).map(([name, spec]) => {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || SCOPE_NAMES.includes(name))
      fail(`peers: bad name "${name}"`);
    const s = spec ?? {};
    if (!isObj(s)) return fail(`peers.${name} must be a mapping`);
    for (const key of Object.keys(s))
      if (!["id", "epoch", "keepalive", "autoAck"].includes(key))
        fail(`peers.${name}: unknown field "${key}"`);
    return {
      name,
      id: typeof s.id === "string" ? s.id : name === "kit" ? defaultId : `kit-${name.toLowerCase()}`,
      ...(typeof s.epoch === "string" ? { epoch: s.epoch } : {}),
      keepalive: s.keepalive !== false,
      autoAck: s.autoAck !== false,
    };
  });
}

function checkStep(
  raw: unknown,
  index: number,
  peers: readonly PeerSpec[],
  fail: (what: string) => never,
): Step {
  // `- kill`, `- restart` and `- start` are steps without arguments
  const obj: Obj =
    typeof raw === "string"
      ? { [raw]: true }
      : isObj(raw)
        ? raw
        : fail("must be a mapping or an action name");
  const keys = Object.keys(obj);
  const action = ACTIONS.find((a) => a in obj);
  if (action === undefined) return fail(`unknown action "${keys[0] ?? ""}" (known: ${ACTIONS.join(", ")})`);
  const others = ACTIONS.filter((a) => a !== action && a in obj);
  if (others.length > 0) fail(`one action per step, found ${[action, ...others].join(" and ")}`);
  const allowed: readonly string[] = STEP_FIELDS[action];
  for (const key of keys)
    if (key !== action && !allowed.includes(key))
      fail(`${action}: unknown field "${key}" (known: ${allowed.join(", ") || "none"})`);
  const arg = obj[action];
  const fields: Obj = { ...obj };
  delete fields[action];
  const ms = (key: string): void => {
    const v = fields[key];
    if (v !== undefined && (typeof v !== "number" || !(v > 0)))
      fail(`${action}: "${key}" must be a positive number of ms`);
  };
  ms("within");
  ms("for");
  const peerNames = peers.map((p) => p.name);
  switch (action) {
    case "send":
      if (typeof arg !== "string") fail(`send: give the message kind (or raw)`);
      if (arg === "raw" && (fields.payload === undefined || fields.to === undefined))
        fail(`send raw: needs "payload" and "to"`);
      if (fields.from !== undefined && !peerNames.includes(fields.from as string))
        fail(`send: unknown peer ${JSON.stringify(fields.from)} (peers: ${peerNames.join(", ")})`);
      if (
        fields.omit !== undefined &&
        (!Array.isArray(fields.omit) || fields.omit.some((o) => typeof o !== "string"))
      )
        fail(`send: "omit" must be a list of field names`);
      break;
    case "expect":
    case "expectNone":
      if (typeof arg !== "string") fail(`${action}: give the message kind (or any)`);
      if (
        fields.from !== undefined &&
        fields.from !== "impl" &&
        fields.from !== "any" &&
        !peerNames.includes(fields.from as string)
      )
        fail(`${action}: "from" must be impl, any or a peer name`);
      if (action === "expectNone" && fields.for === undefined) fail(`expectNone: needs "for" (ms)`);
      break;
    case "command":
      if (typeof arg !== "string" || !COMMANDS.includes(arg))
        fail(`command: unknown command ${JSON.stringify(arg)} (known: ${COMMANDS.join(", ")})`);
      if (fields.background !== undefined && fields.background !== true)
        fail(`command: "background" must be true (or left out)`);
      if (fields.background === true && (fields.result !== undefined || fields.as !== undefined))
        fail(`command: a background command has no "result" or "as"`);
      break;
    case "event":
    case "noEvent":
      if (typeof arg !== "string") fail(`${action}: give the event name`);
      if (action === "noEvent" && fields.for === undefined) fail(`noEvent: needs "for" (ms)`);
      break;
    case "wait":
      if (typeof arg !== "number" || !(arg > 0)) fail(`wait: give a positive number of ms`);
      break;
    case "silence":
      if (!peerNames.includes(arg as string)) fail(`silence: unknown peer ${JSON.stringify(arg)}`);
      break;
    case "start":
    case "kill":
    case "restart":
      break;
  }
  return { index, action, arg, fields };
}

/** Reads every `*.yaml` scenario of a folder, sorted by file name. @throws ScenarioError. */
export async function loadScenarios(dir: string): Promise<Scenario[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (error) {
    throw new ScenarioError(`${dir}: cannot read the scenario folder: ${(error as Error).message}`);
  }
  if (names.length === 0) throw new ScenarioError(`${dir}: no scenario files (*.yaml)`);
  const out: Scenario[] = [];
  for (const name of names) out.push(await loadScenario(join(dir, name), `${basename(dir)}/${name}`));
  return out;
}
