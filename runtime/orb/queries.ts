/**
 * Questions any orb can ask any other by id, and answer: `status()` (a status-request,
 * answered with a status) and `ping()` (a keepalive-request, answered with a keepalive).
 * Their answers are matched by the reply registry, by the id of the question.
 */
import { TimeoutError, type NotRunningError } from "../errors.js";
import { checkId } from "../ids.js";
import {
  keepaliveTopic,
  statusReplyTopic,
  statusTopic,
  type MessageKind,
  type OrbitalisMessage,
  type StatusMessage,
} from "../../generated/protocol/index.js";
import { abortError, checkSignal } from "./abort.js";
import type { PartContext } from "./context.js";
import { checkTimeoutMs, type WaitOptions } from "./options.js";
import { ReplyRegistry } from "./replies.js";
import type { RoleInbound } from "./role-host.js";
import { asError } from "../as-error.js";

/** What a status says about an orb (a hybrid's also lists what it offers and requires). */
export interface StatusFacts {
  readonly role: StatusMessage["role"];
  readonly state: StatusMessage["state"];
  readonly offers: string[];
  readonly requires: string[];
  readonly connections: StatusMessage["connections"];
}

export interface QueriesHost extends Pick<
  PartContext,
  "id" | "root" | "clock" | "message" | "send" | "post" | "assertRunning" | "running"
> {
  readonly requestTimeoutMs: number;
  /** Where a connected remote takes keepalives, if it said. */
  keepaliveTopicOf(remote: string): string | undefined;
  /** What this orb's status says. */
  describe(): StatusFacts;
}

export class Queries implements RoleInbound {
  /** Answers awaited by status() and ping(), by message id. */
  private readonly replies: ReplyRegistry<OrbitalisMessage>;
  /** Answered and matched while the orb stops too (a graceful stop may take a while). */
  readonly whileStopping: readonly MessageKind[] = [
    "keepalive",
    "keepalive-request",
    "status-request",
    "status",
  ];
  readonly handlers: RoleInbound["handlers"];

  constructor(private readonly host: QueriesHost) {
    this.replies = new ReplyRegistry(host.clock);
    this.handlers = {
      keepalive: (m) => {
        if (m.re !== undefined) this.replies.resolve(m.re, m);
      },
      "keepalive-request": (m) => host.post(m.replyTo, host.message("keepalive", { re: m.id }), m.from),
      "status-request": (m) => host.post(m.replyTo, this.statusMessage(m.id), m.from),
      status: (m) => void this.replies.resolve(m.re, m),
    };
  }

  /** See `Orbiter.status`. */
  async status(remote: string, options: WaitOptions): Promise<StatusMessage> {
    checkId("remote", remote);
    const host = this.host;
    const request = host.message("status-request", {
      replyTo: statusReplyTopic({ root: host.root, orb: host.id }),
    });
    const answer = await this.ask(statusTopic({ root: host.root, orb: remote }), request, remote, options);
    return answer as StatusMessage;
  }

  /** See `Orbiter.ping`. */
  async ping(remote: string, options: WaitOptions): Promise<number> {
    checkId("remote", remote);
    const host = this.host;
    const started = performance.now();
    const request = host.message("keepalive-request", {
      replyTo: keepaliveTopic({ root: host.root, orb: host.id }),
    });
    const topic = host.keepaliveTopicOf(remote) ?? keepaliveTopic({ root: host.root, orb: remote });
    await this.ask(topic, request, remote, options);
    return performance.now() - started;
  }

  /** This orb's status, answering the request `re`. */
  private statusMessage(re: string): StatusMessage {
    const { role, state, offers, requires, connections } = this.host.describe();
    const hybrid = role === "hybrid";
    return this.host.message("status", {
      re,
      role,
      state,
      connections,
      operations: [...new Set([...offers, ...requires])],
      ...(hybrid ? { offers, requires } : {}),
    });
  }

  /**
   * Whether `remote` (the instance we are connected to) answers a ping within `timeoutMs`.
   * Not running (stopping), nothing is decided: it counts as alive.
   */
  alive(remote: string, timeoutMs: number): Promise<boolean> {
    if (!this.host.running()) return Promise.resolve(true);
    return this.ping(remote, { timeoutMs }).then(
      () => true,
      () => false,
    );
  }

  /** Every question still waiting fails with `error` (the orb stopped). */
  cancelAll(error: NotRunningError): void {
    this.replies.rejectWhere(
      () => true,
      () => error,
    );
  }

  /** Sends `message` and resolves with the reply whose `re` is its id. */
  private ask(
    topic: string,
    message: OrbitalisMessage,
    to: string,
    options: WaitOptions,
  ): Promise<OrbitalisMessage> {
    const timeoutMs = checkTimeoutMs(options.timeoutMs ?? this.host.requestTimeoutMs);
    const signal = checkSignal(options.signal);
    if (signal?.aborted) return Promise.reject(abortError(signal, `${message.kind} to ${to}`));
    this.host.assertRunning();
    // Made here, not when the deadline passes, so that its stack is the caller's.
    const timeout = new TimeoutError(`${to} did not answer ${message.kind} within ${timeoutMs} ms`);
    // The deadline counts from here, whatever the bus does with the publish (not awaited):
    // a publish that fails ends the wait if it still runs, and nothing once it ended.
    const reply = this.replies.wait(message.id, {
      meta: undefined,
      timeoutMs,
      signal,
      what: `${message.kind} to ${to}`,
      onTimeout: () => timeout,
    });
    let sent: Promise<void>;
    try {
      sent = this.host.send(topic, message, to);
    } catch (error) {
      sent = Promise.reject(asError(error));
    }
    sent.catch((error: unknown) => this.replies.reject(message.id, asError(error)));
    return reply;
  }
}
