/**
 * Every error Orbitalis throws is an OrbitalisError with a stable code (issue 19):
 * - the runtime's source makes no plain `Error` (nor `TypeError` ...) outside errors.ts,
 *   defines no error class of its own elsewhere, and throws no strings;
 * - each exported error class has its code, listed here: a class added without its code
 *   here, a code added to `ErrorCode` without a class, or two classes sharing a code fail.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import * as orbitalis from "../../runtime/index.js";
import * as testing from "../../runtime/testing/index.js";
import * as validation from "../../runtime/validation.js";
import * as protocol from "../../generated/protocol/index.js";
import {
  AbortError,
  AuthenticationError,
  BusError,
  ComplianceTimeoutError,
  ConfigError,
  ConnectionClosedError,
  ContractError,
  DuplicateIdError,
  InternalError,
  InvalidMessageError,
  InvalidPayloadError,
  InvalidTopicError,
  LimitError,
  NoConnectionError,
  NotRunningError,
  OperationError,
  OrbitalisError,
  RemoteOperationError,
  RequestTimeoutError,
  SchemaError,
  ThrownValueError,
  TimeoutError,
  UnsupportedVersionError,
  type BusErrorCode,
  type ErrorCode,
} from "../../runtime/index.js";

const RUNTIME = join(import.meta.dirname, "../../runtime");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Lines of code of a file, with `//` and `/* ... *\/` comment lines left out (code stays where it was). */
function codeLines(file: string): { line: number; text: string }[] {
  let inBlock = false;
  return readFileSync(file, "utf8")
    .split("\n")
    .map((text, i) => ({ line: i + 1, text }))
    .filter(({ text }) => {
      const t = text.trim();
      if (inBlock) {
        if (t.includes("*/")) inBlock = false;
        return false;
      }
      if (t.startsWith("/*")) {
        inBlock = !t.includes("*/");
        return false;
      }
      return !t.startsWith("//") && !t.startsWith("*");
    });
}

const PLAIN_ERRORS =
  "Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError|AggregateError";
const FORBIDDEN: readonly { rule: string; pattern: RegExp }[] = [
  {
    rule: "a plain error (use an OrbitalisError subclass)",
    pattern: new RegExp(`\\bnew (${PLAIN_ERRORS})\\(`),
  },
  {
    rule: "an error class outside errors.ts",
    pattern: new RegExp(`\\bclass \\w+ extends (${PLAIN_ERRORS})\\b`),
  },
  { rule: "a thrown or rejected string", pattern: /\bthrow ["'`]|\breject\(["'`]|Promise\.reject\(["'`]/ },
];

/** The places in the runtime's source (outside errors.ts) that break a rule. */
function violations(): string[] {
  const found: string[] = [];
  for (const file of sources(RUNTIME)) {
    const name = relative(RUNTIME, file).replaceAll("\\", "/");
    if (name === "errors.ts") continue;
    for (const { line, text } of codeLines(file))
      for (const { rule, pattern } of FORBIDDEN)
        if (pattern.test(text)) found.push(`runtime/${name}:${line}: ${rule}: ${text.trim()}`);
  }
  return found;
}

describe("the runtime throws only OrbitalisErrors", () => {
  it("makes no plain Error, TypeError ... outside errors.ts", () => {
    expect(violations()).toEqual([]);
  });

  it("the scan finds what it is meant to find", () => {
    const sample = [
      "  throw new Error(`x`);",
      "  reject(new TypeError('x'));",
      "class Oops extends RangeError {}",
      '  throw "broken";',
    ];
    const hits = sample.filter((text) => FORBIDDEN.some(({ pattern }) => pattern.test(text)));
    expect(hits).toEqual(sample);
    for (const ok of [
      "throw new ConfigError('f', 'm');",
      "interface Like extends Error {}",
      "new OrbitalisError(",
    ])
      expect(FORBIDDEN.some(({ pattern }) => pattern.test(ok))).toBe(false);
  });
});

/**
 * Every code, once: a code added to ErrorCode without being listed here does not compile
 * (nor does a listed code that is not one).
 */
const EVERY_CODE: Record<ErrorCode, true> = {
  ERR_CONFIG: true,
  ERR_BUS: true,
  ERR_BUS_CLOSED: true,
  ERR_BUS_NOT_CONNECTED: true,
  ERR_BUS_CLIENT_MISSING: true,
  ERR_INVALID_TOPIC: true,
  ERR_INVALID_PAYLOAD: true,
  ERR_INVALID_MESSAGE: true,
  ERR_UNSUPPORTED_VERSION: true,
  ERR_NO_CONNECTION: true,
  ERR_REQUEST_TIMEOUT: true,
  ERR_REMOTE_OPERATION: true,
  ERR_CONNECTION_CLOSED: true,
  ERR_NOT_RUNNING: true,
  ERR_TIMEOUT: true,
  ERR_COMPLIANCE_TIMEOUT: true,
  ERR_ABORTED: true,
  ERR_CONTRACT: true,
  ERR_DUPLICATE_ID: true,
  ERR_LIMIT: true,
  ERR_AUTH: true,
  ERR_SCHEMA: true,
  ERR_INTERNAL: true,
  ERR_THROWN_VALUE: true,
};

const BUS_CODES: Record<Exclude<BusErrorCode, "ERR_INVALID_TOPIC">, true> = {
  ERR_BUS: true,
  ERR_BUS_CLOSED: true,
  ERR_BUS_NOT_CONNECTED: true,
  ERR_BUS_CLIENT_MISSING: true,
};

/** Each exported error class with a fixed code: an instance of it, and its codes. */
const CLASSES: Record<string, { make: () => OrbitalisError; codes: readonly ErrorCode[] }> = {
  ConfigError: { make: () => new ConfigError("field", "m"), codes: ["ERR_CONFIG"] },
  BusError: {
    make: () => new BusError("ERR_BUS", "m"),
    codes: Object.keys(BUS_CODES) as (keyof typeof BUS_CODES)[],
  },
  InvalidTopicError: { make: () => new InvalidTopicError("a/#/b", "m"), codes: ["ERR_INVALID_TOPIC"] },
  InvalidPayloadError: { make: () => new InvalidPayloadError("m"), codes: ["ERR_INVALID_PAYLOAD"] },
  InvalidMessageError: { make: () => new InvalidMessageError("m"), codes: ["ERR_INVALID_MESSAGE"] },
  UnsupportedVersionError: {
    make: () => new UnsupportedVersionError(2, "m"),
    codes: ["ERR_UNSUPPORTED_VERSION"],
  },
  NoConnectionError: { make: () => new NoConnectionError("m"), codes: ["ERR_NO_CONNECTION"] },
  TimeoutError: { make: () => new TimeoutError("m"), codes: ["ERR_TIMEOUT"] },
  RequestTimeoutError: { make: () => new RequestTimeoutError("m"), codes: ["ERR_REQUEST_TIMEOUT"] },
  ComplianceTimeoutError: {
    make: () => new ComplianceTimeoutError("m", []),
    codes: ["ERR_COMPLIANCE_TIMEOUT"],
  },
  RemoteOperationError: { make: () => new RemoteOperationError("X", "m"), codes: ["ERR_REMOTE_OPERATION"] },
  AbortError: { make: () => new AbortError("m"), codes: ["ERR_ABORTED"] },
  ConnectionClosedError: { make: () => new ConnectionClosedError("m"), codes: ["ERR_CONNECTION_CLOSED"] },
  NotRunningError: { make: () => new NotRunningError("m"), codes: ["ERR_NOT_RUNNING"] },
  DuplicateIdError: { make: () => new DuplicateIdError("a", "e1", "e2", "m"), codes: ["ERR_DUPLICATE_ID"] },
  LimitError: { make: () => new LimitError("maxPendingRequests", "m"), codes: ["ERR_LIMIT"] },
  AuthenticationError: { make: () => new AuthenticationError("m"), codes: ["ERR_AUTH"] },
  ContractError: { make: () => new ContractError("here", "m"), codes: ["ERR_CONTRACT"] },
  SchemaError: { make: () => new SchemaError("m"), codes: ["ERR_SCHEMA"] },
  InternalError: { make: () => new InternalError("m"), codes: ["ERR_INTERNAL"] },
  ThrownValueError: { make: () => new ThrownValueError("m"), codes: ["ERR_THROWN_VALUE"] },
};

/** Exported classes whose code is not Orbitalis's: the base, and a handler's own. */
const OPEN_CODED = ["OrbitalisError", "OperationError"];

function exportedErrorClasses(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Error)
    .map(([name]) => name);
}

describe("error codes", () => {
  it("the other entry points export no error class of their own (orbitalis/validation: ajv's, for generated code)", () => {
    expect(exportedErrorClasses(protocol)).toEqual([]);
    expect(exportedErrorClasses(validation)).toEqual(["ValidationError"]);
  });

  it("every exported error class is an OrbitalisError and is listed with its code", () => {
    const exported = [...new Set([...exportedErrorClasses(orbitalis), ...exportedErrorClasses(testing)])];
    expect(exported.sort()).toEqual([...Object.keys(CLASSES), ...OPEN_CODED].sort());
    for (const name of exported) {
      const cls = (orbitalis as Record<string, unknown>)[name] ?? (testing as Record<string, unknown>)[name];
      expect(
        cls === OrbitalisError || (cls as { prototype: unknown }).prototype instanceof OrbitalisError,
      ).toBe(true);
    }
  });

  it("each class has its own codes, and together they are every ErrorCode", () => {
    const owner = new Map<string, string>();
    for (const [name, { make, codes }] of Object.entries(CLASSES)) {
      const error = make();
      expect(error).toBeInstanceOf(OrbitalisError);
      expect(error.name).toBe(name);
      expect(codes).toContain(error.code);
      for (const code of codes) {
        expect(owner.get(code), `${code} of ${name}`).toBeUndefined();
        owner.set(code, name);
      }
    }
    expect([...owner.keys()].sort()).toEqual(Object.keys(EVERY_CODE).sort());
  });

  it("the timeouts are TimeoutErrors with their own codes", () => {
    for (const error of [new RequestTimeoutError("m"), new ComplianceTimeoutError("m", [])]) {
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.code).not.toBe("ERR_TIMEOUT");
    }
  });

  it("an OperationError carries its handler's code, never one Orbitalis uses", () => {
    expect(new OperationError("NOT_FOUND", "m").code).toBe("NOT_FOUND");
    expect(() => new OperationError("HANDLER_ERROR", "m")).toThrow(ConfigError);
  });

  it("InternalError says it is internal; ThrownValueError keeps what was thrown", () => {
    expect(new InternalError("two handlers for status").message).toBe("internal: two handlers for status");
    const thrown = { why: "no" };
    const error = new ThrownValueError(thrown);
    expect(error.value).toBe(thrown);
    expect(error.message).toBe("[object Object]");
    expect(new ThrownValueError(Object.create(null)).message).toBe("[object Object]");
  });
});
