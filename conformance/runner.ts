/**
 * Runs one scenario: a fresh topic root, the kit's bus client listening under it, the
 * implementation started through its adapter, the scripted orbs, then the steps in order.
 * The first step that fails ends the scenario; its message says what was expected and what
 * came instead.
 */
import { randomBytes } from "node:crypto";
import { validateMessage } from "orbitalis/protocol";
import type { Bus } from "orbitalis";
import { busFor } from "./bus-url.js";
import { Implementation, type ImplementationEvent } from "./implementation.js";
import { ScriptedPeer, withFingerprints } from "./peer.js";
import type { Scenario, Step } from "./scenario.js";
import { mismatch, short, substitute } from "./template.js";
import { Wire, type WireQuery } from "./wire.js";
import { buildStart } from "./start.js";

/** How the kit runs scenarios. */
export interface RunSettings {
  /** Shell command that starts the adapter of the implementation under test. */
  readonly implementation: string;
  readonly busUrl: string;
  /** Multiplies every `within` bound (slow machines, slow implementations). Default 1. */
  readonly timeoutScale: number;
}

/** The outcome of one scenario. */
export interface ScenarioResult {
  readonly id: string;
  readonly rule: string;
  readonly role: string;
  readonly title: string;
  readonly status: "passed" | "failed" | "skipped";
  readonly durationMs: number;
  readonly failure?: string;
  /** Why it was not run (skipped). */
  readonly skipped?: string;
  /** What happened (messages, commands, events, stderr), kept for failures. */
  readonly transcript?: readonly string[];
}

/** A step that did not hold: ends the scenario with this message. */
class StepFailure extends Error {}

const ACTIONS = new Set(["send", "command", "start", "kill", "restart", "silence", "wait"]);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one scenario against the implementation. Never throws: failures are results. */
export async function runScenario(scenario: Scenario, settings: RunSettings): Promise<ScenarioResult> {
  const run = new ScenarioRun(scenario, settings);
  const started = Date.now();
  let failure: string | undefined;
  try {
    await run.execute();
  } catch (error) {
    failure =
      error instanceof StepFailure ? error.message : `kit error: ${(error as Error).stack ?? String(error)}`;
  }
  await run.cleanup();
  failure ??= run.faults();
  const base = { id: scenario.id, rule: scenario.rule, role: scenario.role, title: scenario.title };
  const durationMs = Date.now() - started;
  if (failure === undefined) return { ...base, status: "passed", durationMs };
  return { ...base, status: "failed", durationMs, failure, transcript: run.transcript() };
}

class ScenarioRun {
  private readonly t0 = Date.now();
  private readonly clock = (): number => Date.now() - this.t0;
  private readonly root = `conf-${randomBytes(5).toString("hex")}`;
  private readonly implId = `impl-${randomBytes(3).toString("hex")}`;
  private readonly wire = new Wire(this.clock);
  private readonly log: string[] = [];
  private readonly invalid: string[] = [];
  private readonly impl: Implementation;
  private readonly peers: ScriptedPeer[] = [];
  private readonly scope: Record<string, unknown> = {};
  /** Where on the wire each message an expect captured is (for `after`). */
  private readonly captured = new Map<string, number>();
  private bus: Bus | undefined;
  private startCommand: Record<string, unknown> = {};
  private wireMark = 0;
  private eventMark = 0;
  private lastWasAction = false;
  private refs = 0;
  private ended = false; // the kit stopped or killed the implementation on purpose
  /** How the implementation ended when nobody asked it to (a crash): a failure, whatever the steps said. */
  private crashed: string | undefined;

  constructor(
    private readonly scenario: Scenario,
    private readonly settings: RunSettings,
  ) {
    this.impl = new Implementation(settings.implementation, this.clock, (e) =>
      this.note(`impl event ${JSON.stringify(e.event)}`),
    );
  }

  private note(line: string): void {
    this.log.push(
      `+${String(this.clock()).padStart(5)}ms ${line.length > 600 ? `${line.slice(0, 597)}...` : line}`,
    );
  }

  private within(step: Step, fallback: number): number {
    const v = typeof step.fields.within === "number" ? step.fields.within : fallback;
    return Math.round(v * this.settings.timeoutScale);
  }

  async execute(): Promise<void> {
    const publish = async (
      topic: string,
      message: Record<string, unknown>,
      retain = false,
    ): Promise<void> => {
      this.note(`kit -> ${topic} ${JSON.stringify(message)}`);
      await this.bus!.publishValue(topic, message, { retain });
    };
    for (const spec of this.scenario.peers) {
      const peer = new ScriptedPeer(
        spec,
        this.scenario.role === "plugin" ? "core" : "plugin",
        this.root,
        this.implId,
        publish,
      );
      this.peers.push(peer);
    }
    this.bus = busFor(this.settings.busUrl);
    await this.bus.connect();
    await this.bus.subscribe(`${this.root}/#`, (topic, payload) => this.arrived(topic, payload));
    this.refreshScope();
    this.startCommand = buildStart(this.scenario, this.scope, {
      id: this.implId,
      bus: this.settings.busUrl,
      root: this.root,
    });
    this.scope.start = this.startCommand;
    this.scope.timing = this.startCommand.timing;
    this.mark();
    this.lastWasAction = true; // the start is the first action
    // Started before the first step, unless a `start` step says where (after the kit's own sends).
    if (!this.scenario.steps.some((s) => s.action === "start")) await this.startImplementation(10_000);
    for (const step of this.scenario.steps) {
      if (ACTIONS.has(step.action)) this.mark();
      this.lastWasAction = ACTIONS.has(step.action);
      this.note(`step ${step.index}: ${step.action} ${short(step.arg, 60)}`);
      try {
        await this.step(step);
      } catch (error) {
        const prefix = `step ${step.index} (${step.action}${typeof step.arg === "string" ? ` ${step.arg}` : ""})`;
        throw new StepFailure(`${prefix}: ${(error as Error).message}`);
      }
      const bad = this.invalid.shift();
      if (bad !== undefined)
        throw new StepFailure(`by step ${step.index}: the implementation sent an invalid message: ${bad}`);
    }
  }

  private arrived(topic: string, payload: Uint8Array): void {
    const entry = this.wire.record(topic, payload);
    if (!entry) return;
    const m = entry.message;
    if (m === undefined) {
      this.note(`?? -> ${topic} ${short(entry.text, 200)}`);
      return;
    }
    if (m.from === this.implId) {
      this.note(`impl -> ${topic} ${JSON.stringify(m)}`);
      const result = validateMessage(m);
      if (!result.ok)
        this.invalid.push(`${String(m.kind)} on ${topic}: ${result.errors.slice(0, 3).join("; ")}`);
    }
    for (const peer of this.peers) peer.observe(topic, m);
  }

  /** Actions after a wait start a new window: later expects look at what came after them. */
  private mark(): void {
    if (this.lastWasAction) return;
    this.wireMark = this.wire.entries.length;
    this.eventMark = this.impl.events.length;
  }

  private refreshScope(): void {
    this.scope.impl = this.implId;
    this.scope.root = this.root;
    this.scope.implEpoch ??= "";
    for (const peer of this.peers) this.scope[peer.name] = peer.scope();
  }

  private async startImplementation(ms: number): Promise<void> {
    this.impl.spawn();
    const from = this.impl.events.length;
    this.note(`kit cmd ${JSON.stringify(this.startCommand)}`);
    this.impl.send(this.startCommand);
    const i = await this.impl.waitFor(
      from,
      // Other error events may come while it starts (what it heard on subscribing): not a failure.
      (e) => e.event === "started" || (e.event === "error" && e.code === "START_FAILED"),
      Math.round(ms * this.settings.timeoutScale),
    );
    const e = i >= 0 ? this.impl.events[i]!.event : undefined;
    if (e?.event !== "started") {
      const why = e
        ? `it reported ${JSON.stringify(e)}`
        : this.impl.alive
          ? `no "started" event within ${ms} ms`
          : `it exited (${JSON.stringify(this.impl.exited)})`;
      const last = this.impl.stderr.filter((l) => l.trim() !== "").at(-1);
      const tail = last === undefined ? "" : `; its stderr ends with: ${last.slice(0, 300)}`;
      throw new StepFailure(`the implementation did not start: ${why}${tail}`);
    }
    if (typeof e.epoch === "string") this.scope.implEpoch = e.epoch;
  }

  private async step(step: Step): Promise<void> {
    const f = substitute(step.fields, this.scope) as Record<string, unknown>;
    switch (step.action) {
      case "send":
        return this.send(String(step.arg), f);
      case "expect":
      case "expectNone":
        return this.expect(step, f);
      case "command":
        return this.command(step, f);
      case "event":
      case "noEvent":
        return this.event(step, f);
      case "start":
        return this.startImplementation(typeof step.fields.within === "number" ? step.fields.within : 10_000);
      case "kill":
        this.ended = true;
        await this.impl.kill();
        this.note("kit killed the implementation (SIGKILL)");
        return;
      case "restart":
        await this.impl.kill();
        this.ended = false;
        this.note("kit restarts the implementation");
        return this.startImplementation(typeof step.fields.within === "number" ? step.fields.within : 10_000);
      case "wait":
        return sleep(step.arg as number);
      case "silence":
        this.peers.filter((p) => p.name === step.arg).forEach((p) => p.silence());
        return;
    }
  }

  private peer(name: unknown): ScriptedPeer {
    return this.peers.find((p) => p.name === name) ?? this.peers[0]!;
  }

  private async send(kind: string, f: Record<string, unknown>): Promise<void> {
    const to = typeof f.to === "string" ? f.to : undefined;
    if (kind === "raw") {
      const text = typeof f.payload === "string" ? f.payload : JSON.stringify(f.payload);
      this.note(`kit -> ${to!} (raw${f.retain === true ? ", retained" : ""}) ${JSON.stringify(text)}`);
      await this.bus!.publish(to!, new TextEncoder().encode(text), { retain: f.retain === true });
      return;
    }
    const peer = this.peer(f.from);
    const fields = withFingerprints((f.fields ?? {}) as Record<string, unknown>);
    const message: Record<string, unknown> = {
      ...peer.envelope(kind),
      ...peer.defaults(kind, fields),
      ...fields,
      ...((f.envelope ?? {}) as Record<string, unknown>),
    };
    for (const key of (f.omit ?? []) as string[]) delete message[key];
    const topic = to ?? peer.defaultTopic(kind);
    if (topic === undefined) throw new Error(`say where to send a ${kind} ("to")`);
    if (typeof f.as === "string") this.scope[f.as] = message;
    this.note(`kit -> ${topic} ${JSON.stringify(message)}`);
    await this.bus!.publishValue(topic, message, {
      retain: f.retain === true || (f.retain === undefined && kind === "presence"),
    });
  }

  private query(kind: string, f: Record<string, unknown>): WireQuery {
    const from = f.from ?? "impl";
    const peer = this.peers.find((p) => p.name === from);
    const accept =
      from === "any"
        ? () => true
        : peer
          ? (m: Record<string, unknown>) => m.from === peer.id && m.epoch === peer.epoch
          : (m: Record<string, unknown>) => m.from === this.implId;
    return {
      kind,
      accept,
      ...(typeof f.topic === "string" ? { topic: f.topic } : {}),
      ...(f.where !== undefined ? { where: f.where } : {}),
    };
  }

  private async expect(step: Step, f: Record<string, unknown>): Promise<void> {
    const kind = String(step.arg);
    const q = this.query(kind, f);
    const what = `${kind} from ${typeof f.from === "string" ? f.from : "impl"}${q.topic ? ` on ${q.topic}` : ""}${typeof f.after === "string" ? ` after ${f.after}` : ""}${q.where !== undefined ? ` where ${short(q.where, 200)}` : ""}`;
    if (step.action === "expectNone") {
      const ms = f.for as number;
      const i = await this.wire.waitFor(this.wireMark, q, ms, false);
      if (i >= 0) {
        const e = this.wire.entries[i]!;
        throw new Error(`expected no ${what} for ${ms} ms, but at +${e.at}ms: ${JSON.stringify(e.message)}`);
      }
      return;
    }
    const ms = this.within(step, 3000);
    if (f.fresh === true) return this.expectFresh(step, q, what, ms);
    let from = this.wireMark;
    if (typeof step.fields.after === "string") {
      const after = this.captured.get(step.fields.after);
      if (after === undefined)
        throw new Error(`after: ${step.fields.after} is not a message an expect captured`);
      from = Math.max(from, after + 1);
    }
    const i = await this.wire.waitFor(from, q, ms);
    if (i < 0) {
      const near = this.wire.nearMisses(from, q);
      throw new Error(
        `expected ${what} within ${ms} ms; ${near.length ? `arrived instead: ${near.join("; ")}` : "nothing like it arrived"}`,
      );
    }
    if (typeof f.as === "string") {
      this.scope[f.as] = this.wire.entries[i]!.message;
      this.captured.set(f.as, i);
    }
  }

  /** An expect on a new subscription (retained messages: what a late subscriber gets). */
  private async expectFresh(step: Step, q: WireQuery, what: string, ms: number): Promise<void> {
    if (q.topic === undefined) throw new Error(`fresh: needs "topic"`);
    const late = new Wire(this.clock);
    const bus = busFor(this.settings.busUrl);
    try {
      await bus.connect();
      await bus.subscribe(q.topic, (topic, payload) => late.record(topic, payload));
      const i = await late.waitFor(0, q, ms);
      if (i < 0)
        throw new Error(
          `a new subscriber to ${q.topic} expected ${what} within ${ms} ms; got ${late.entries.length ? late.nearMisses(0, q).join("; ") : "nothing"}`,
        );
      if (typeof step.fields.as === "string") this.scope[step.fields.as] = late.entries[i]!.message;
    } finally {
      await bus.close().catch(() => undefined);
    }
  }

  private async command(step: Step, f: Record<string, unknown>): Promise<void> {
    const args = (f.args ?? {}) as Record<string, unknown>;
    const ref = typeof args.ref === "string" ? args.ref : `c${++this.refs}`;
    const cmd = { cmd: step.arg, ref, ...args };
    const from = this.impl.events.length;
    this.note(`kit cmd ${JSON.stringify(cmd)}`);
    if (step.arg === "stop") this.ended = true;
    if (!this.impl.send(cmd))
      throw new Error(`the implementation is not running (${JSON.stringify(this.impl.exited)})`);
    // A background command is not waited for (a stop that takes time while later steps act).
    const answer =
      f.background === true
        ? undefined
        : step.arg === "stop"
          ? "stopped"
          : f.result !== undefined
            ? "result"
            : undefined;
    if (answer === undefined) return;
    const ms = this.within(step, 5000);
    const i = await this.impl.waitFor(
      from,
      (e) => e.event === answer && (e.ref === ref || answer === "stopped"),
      ms,
    );
    if (i < 0) throw new Error(`no ${answer} for ${ref} within ${ms} ms`);
    const e = this.impl.events[i]!.event;
    const bad = f.result === undefined ? undefined : mismatch(e, f.result);
    if (bad !== undefined)
      throw new Error(`result of ${String(step.arg)} ${ref}: ${bad} (result: ${JSON.stringify(e)})`);
    if (typeof f.as === "string") this.scope[f.as] = e;
  }

  private async event(step: Step, f: Record<string, unknown>): Promise<void> {
    const name = String(step.arg);
    const accept = (e: ImplementationEvent): boolean =>
      e.event === name && (f.where === undefined || mismatch(e, f.where) === undefined);
    const what = `event ${name}${f.where !== undefined ? ` where ${short(f.where, 200)}` : ""}`;
    if (step.action === "noEvent") {
      const i = await this.impl.waitFor(this.eventMark, accept, f.for as number);
      if (i >= 0)
        throw new Error(
          `expected no ${what} for ${String(f.for)} ms, but got ${JSON.stringify(this.impl.events[i]!.event)}`,
        );
      return;
    }
    const ms = this.within(step, 3000);
    const i = await this.impl.waitFor(this.eventMark, accept, ms);
    if (i < 0) {
      const seen = this.impl.events
        .slice(this.eventMark)
        .filter((e) => e.event.event === name)
        .map((e) => JSON.stringify(e.event));
      throw new Error(
        `expected ${what} within ${ms} ms; ${seen.length ? `got: ${seen.slice(-4).join("; ")}` : `no ${name} event at all`}${this.impl.alive ? "" : " (the implementation exited)"}`,
      );
    }
    if (typeof f.as === "string") this.scope[f.as] = this.impl.events[i]!.event;
  }

  /** Problems not tied to a step: an adapter that printed other things than events, an exit nobody asked for. */
  faults(): string | undefined {
    // A dead implementation passes every "nothing happens" step: its exit fails the scenario.
    if (this.crashed !== undefined)
      return `the implementation exited by itself during the scenario: ${this.crashed}`;
    if (this.impl.faults.length > 0) return `adapter protocol: ${this.impl.faults.slice(0, 3).join("; ")}`;
    if (this.invalid.length > 0) return `the implementation sent an invalid message: ${this.invalid[0]!}`;
    return undefined;
  }

  /** Kills the implementation, clears the retained presence the scenario left, leaves the bus. */
  async cleanup(): Promise<void> {
    const unasked = this.impl.exited !== undefined && !this.ended;
    if (unasked) {
      this.crashed = JSON.stringify(this.impl.exited);
      this.note(`the implementation exited by itself: ${this.crashed}`);
    }
    await this.impl.kill();
    for (const peer of this.peers) peer.dispose();
    const bus = this.bus;
    if (!bus) return;
    if (bus.capabilities.retain) {
      await sleep(150); // a will the kill just caused: clear it too
      const ids = new Set([this.implId, ...this.peers.map((p) => p.id)]);
      for (const id of ids)
        await bus
          .publish(`${this.root}/presence/${id}`, new Uint8Array(0), { retain: true })
          .catch(() => undefined);
    }
    await bus.close().catch(() => undefined);
  }

  transcript(): string[] {
    const stderr = this.impl.stderr.slice(-40).map((l) => `stderr: ${l}`);
    return [...this.log.slice(-300), ...stderr];
  }
}
