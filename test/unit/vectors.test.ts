/**
 * Known-answer vectors of spec/conformance/vectors (issue 17): what a second implementation
 * must compute the same way and no schema can say -- RFC 8785 canonical JSON and the
 * HMAC-SHA256 message signature, schema fingerprints, schema spec matching and the
 * data-vs-spec verdict. Every case is recomputed here with the runtime's own code (the
 * Python checker, spec/conformance/check.py, recomputes them independently: see
 * conformance.test.ts).
 */
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { validateMessage, type OrbitalisMessage } from "../../generated/protocol/index.js";
import type { Clock } from "../../runtime/clock.js";
import { Authenticator } from "../../runtime/orb/auth.js";
import {
  CompiledSpec,
  fingerprint,
  matchesAny,
  type JsonSchema,
  type WireSchemaSpec,
} from "../../runtime/schema-spec.js";
import { KNOWN_ANSWERS_DIR, VECTORS_DIR } from "../helpers/conformance.js";

interface VectorFile<C> {
  readonly description: string;
  readonly cases: readonly C[];
}
interface HmacCase {
  readonly name: string;
  readonly kid: string;
  readonly key?: string;
  readonly keyHex: string;
  readonly messageText?: string;
  readonly message: Record<string, unknown>;
  readonly canonical: string;
  readonly sig: { readonly kid: string; readonly mac: string };
}
interface FingerprintCase {
  readonly name: string;
  readonly schemaText?: string;
  readonly schema: JsonSchema;
  readonly canonical: string;
  readonly fingerprint: string;
  readonly sameAs?: string;
}
interface MatchingCase {
  readonly name: string;
  readonly accepted: readonly WireSchemaSpec[];
  readonly offered: WireSchemaSpec;
  readonly match: boolean;
}
interface DataCase {
  readonly name: string;
  readonly spec: WireSchemaSpec;
  readonly data?: unknown;
  readonly accepted: boolean;
}

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(join(VECTORS_DIR, KNOWN_ANSWERS_DIR, name), "utf8")) as T;
const hmac = load<VectorFile<HmacCase>>("hmac.json");
const fingerprints = load<VectorFile<FingerprintCase>>("fingerprint.json");
const matching = load<VectorFile<MatchingCase> & { readonly dataCases: readonly DataCase[] }>(
  "matching.json",
);

const named = <C extends { readonly name: string }>(cases: readonly C[]) =>
  cases.map((c) => [c.name, c] as const);
const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");
const clockAt = (ms: number): Clock => ({ now: () => ms, setTimeout: () => 0, clearTimeout: () => {} });

/** A discover holding `accepted` as a needed operation's inputs and `offered` as its outputs. */
function discoverWith(accepted: readonly WireSchemaSpec[], offered: WireSchemaSpec): unknown {
  return {
    v: 1,
    kind: "discover",
    id: "discover-0001",
    from: "home-core",
    epoch: "Ab3dE9fG",
    ts: 1764270000000,
    offerTo: "orbitalis/core/home-core/offer",
    keepaliveTo: "orbitalis/orb/home-core/keepalive",
    closeTo: "orbitalis/orb/home-core/close",
    deadAfterMs: 6000,
    operations: [{ name: "op", inputs: accepted, outputs: [offered] }],
  };
}

/** The fingerprints a wire spec states are those of its schemas. */
function expectTrueFingerprints(spec: WireSchemaSpec): void {
  if (spec === "none") return;
  for (const { fingerprint: fp, schema } of spec.schemas ?? []) expect(fingerprint(schema)).toBe(fp);
}

describe("known-answer vectors", () => {
  it("each file describes its rule and has named cases (names unique per file)", () => {
    for (const file of [hmac, fingerprints, matching]) {
      expect(file.description.length).toBeGreaterThan(200);
      expect(file.cases.length).toBeGreaterThan(5);
      const names = file.cases.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(hmac.description).toMatch(/RFC 8785/);
    expect(hmac.description).toMatch(/HMAC-SHA256/);
    expect(hmac.description).toMatch(/base64url WITHOUT padding/);
    expect(hmac.description).toMatch(/UTF-8 encoding of that string/);
    const dataNames = matching.dataCases.map((c) => c.name);
    expect(new Set(dataNames).size).toBe(dataNames.length);
  });

  describe("hmac.json: RFC 8785 canonical JSON and HMAC-SHA256 signatures", () => {
    it.each(named(hmac.cases))("%s", (_n, c) => {
      // The key bytes: a string key is its UTF-8.
      if (c.key !== undefined) expect(Buffer.from(c.key, "utf8").toString("hex")).toBe(c.keyHex);
      expect(c.message).not.toHaveProperty("sig");
      // The message as the receiver decodes it (JSON.parse: every number a double).
      const received = (
        c.messageText === undefined ? c.message : JSON.parse(c.messageText)
      ) as OrbitalisMessage;
      const check = validateMessage(received);
      expect(check.ok, check.ok ? "" : check.errors.join("; ")).toBe(true);
      expect(canonicalize(c.message)).toBe(c.canonical);
      expect(canonicalize(received)).toBe(c.canonical);
      // The rule as the file states it, with node:crypto directly...
      const mac = createHmac("sha256", Buffer.from(c.keyHex, "hex"))
        .update(c.canonical, "utf8")
        .digest("base64url");
      expect({ kid: c.kid, mac }).toEqual(c.sig);
      // ...and the runtime's Authenticator: it signs so, and accepts only that signature.
      const auth = new Authenticator(
        { keys: { [c.kid]: c.key ?? Buffer.from(c.keyHex, "hex") } },
        clockAt(received.ts),
      );
      const signed = auth.sign(received);
      expect(signed.sig).toEqual(c.sig);
      const flipped = `${c.sig.mac[0] === "A" ? "B" : "A"}${c.sig.mac.slice(1)}`;
      expect(auth.check({ ...received, sig: { ...c.sig, mac: flipped } })).toBe("its signature is wrong");
      expect(auth.check({ ...received, sig: { ...c.sig, mac: `${c.sig.mac}=` } })).toBe(
        "its signature is wrong",
      );
      expect(auth.check({ ...received, sig: c.sig })).toBeUndefined();
    });
  });

  describe("fingerprint.json: sha-256 of the canonical form", () => {
    it.each(named(fingerprints.cases))("%s", (_n, c) => {
      expect(canonicalize(c.schema)).toBe(c.canonical);
      if (c.schemaText !== undefined)
        expect(canonicalize(JSON.parse(c.schemaText) as JsonSchema)).toBe(c.canonical);
      expect(fingerprint(c.schema)).toBe(c.fingerprint);
      expect(sha256(c.canonical)).toBe(c.fingerprint);
      if (c.sameAs !== undefined) {
        const other = fingerprints.cases.find((o) => o.name === c.sameAs);
        expect(other, c.sameAs).toBeDefined();
        expect(fingerprint(other!.schema)).toBe(c.fingerprint);
      }
    });
  });

  describe("matching.json cases: an offered spec against a list of accepted specs", () => {
    it.each(named(matching.cases))("%s", (_n, c) => {
      const check = validateMessage(discoverWith(c.accepted, c.offered));
      expect(check.ok, check.ok ? "" : check.errors.join("; ")).toBe(true);
      for (const s of [...c.accepted, c.offered]) expectTrueFingerprints(s);
      const offered = CompiledSpec.fromWire(c.offered);
      const accepted = c.accepted.map((s) => CompiledSpec.fromWire(s));
      expect(matchesAny(offered, accepted)).toBe(c.match);
      // The relation is symmetric.
      for (const a of accepted) expect(offered.matches(a)).toBe(a.matches(offered));
    });
  });

  describe("matching.json dataCases: data (or its absence) against a spec", () => {
    it.each(named(matching.dataCases))("%s", (_n, c) => {
      const check = validateMessage(discoverWith([c.spec], "none"));
      expect(check.ok, check.ok ? "" : check.errors.join("; ")).toBe(true);
      expectTrueFingerprints(c.spec);
      // A missing `data` is absent data (undefined), as on the wire.
      const data = "data" in c ? c.data : undefined;
      expect(CompiledSpec.fromWire(c.spec).check(data).ok).toBe(c.accepted);
    });
  });
});
