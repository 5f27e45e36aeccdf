/**
 * The orb's shape, read from its sources: no import cycles in runtime/ (value imports;
 * type-only ones are allowed to close a cycle, and listed), no host interface that reaches
 * back to itself through the interfaces it names, no part that calls back into a part
 * that called it (read from the wiring, runtime/orb/wiring.ts). test/unit/architecture.test.ts
 * checks the stricter import rule (type-only imports included) and the size rule.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const RUNTIME = join(import.meta.dirname, "../../../runtime");
const ORB = join(RUNTIME, "orb");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

type Graph = Map<string, Set<string>>;

function addEdge(graph: Graph, from: string, to: string): void {
  if (!graph.has(from)) graph.set(from, new Set());
  if (!graph.has(to)) graph.set(to, new Set());
  if (from !== to) graph.get(from)!.add(to);
}

/** One cycle per back edge found by a depth-first walk, as node lists (first node repeated at the end). */
function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, path: string[]): void => {
    state.set(node, "open");
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node, [node]);
  return found;
}

// ---- imports ------------------------------------------------------------------------------

/**
 * Relative imports and re-exports of every runtime module, split into value imports and
 * type-only ones (`import type`, `export type`, or every name marked `type`).
 */
function importGraphs(): { values: Graph; types: Graph } {
  const files = sources(RUNTIME);
  const known = new Set(files);
  const values: Graph = new Map();
  const types: Graph = new Map();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const from = relative(RUNTIME, file);
    for (const m of text.matchAll(/^(import|export)\s+(type\s+)?([^;]*?)\s+from\s+"(\.[^"]+)";/gms)) {
      const target = normalize(join(dirname(file), m[4]!.replace(/\.js$/, ".ts")));
      if (!known.has(target)) continue;
      const names = m[3]!.trim();
      const typeOnly =
        m[2] !== undefined ||
        (names.startsWith("{") &&
          names
            .replace(/[{}]/g, "")
            .split(",")
            .map((n) => n.trim())
            .filter((n) => n !== "")
            .every((n) => n.startsWith("type ")));
      addEdge(typeOnly ? types : values, from, relative(RUNTIME, target));
    }
  }
  return { values, types };
}

// ---- host interfaces ----------------------------------------------------------------------

/** The interfaces through which parts see each other (hosts, contexts, views), by name. */
function hostInterfaces(): Map<string, string> {
  const bodies = new Map<string, string>();
  for (const file of sources(ORB)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^export interface (\w+)([^{]*)\{([\s\S]*?)^\}/gm)) {
      const name = m[1]!;
      if (/Host$|Context$|Side$|View$/.test(name) || name === "Role" || name === "RoleInbound")
        bodies.set(name, m[2]! + m[3]!);
    }
  }
  return bodies;
}

function interfaceGraph(bodies: Map<string, string>): Graph {
  const graph: Graph = new Map();
  for (const [name, body] of bodies) {
    addEdge(graph, name, name);
    for (const other of bodies.keys())
      if (other !== name && new RegExp(`\\b${other}\\b`).test(body)) addEdge(graph, name, other);
  }
  return graph;
}

// ---- who calls whom, from the wiring -------------------------------------------------------

/** Part built by each function of wiring.ts. */
const BUILDERS: Record<string, string> = {
  linksOf: "links",
  outboxOf: "outbox",
  membershipOf: "membership",
  identityOf: "identity",
  straysOf: "strays",
  reaperOf: "reaper",
  roleHostOf: "roles",
  queriesOf: "queries",
  inboundOf: "inbound",
};

/**
 * Host members that are entry points, not calls made from inside a part: they are called
 * by the bus's delivery and status callbacks, with no part on the stack.
 */
const ENTRIES = new Set(["membership.receive", "membership.busStatus"]);

/**
 * The one edge that closes cycles, on purpose: Links tells the roles that a connection
 * went (`disconnected` -> Role.removed) or who is around (`presence`), and roles add,
 * remove and close connections through Links (and through Strays, which closes through
 * Links). Their handlers of Links' news do not call Links back before returning (a
 * hybrid's compliance change is handled after the call returns, see Orb.complianceChanged);
 * docs/architecture.md, "Who calls whom". Without this edge the calls form no cycle.
 */
const ALLOWED_EDGE = ["links", "roles"] as const;

/** `graph` without the documented edge. */
function withoutAllowed(graph: Graph): Graph {
  const copy: Graph = new Map([...graph].map(([k, v]) => [k, new Set(v)]));
  copy.get(ALLOWED_EDGE[0])?.delete(ALLOWED_EDGE[1]);
  return copy;
}

/** The parts each reached part member calls, from the text of the wiring's member arrows. */
function targetsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bparts\.(\w+)(?:\.(\w+))?/g)) {
    const [, part, member] = m;
    if (part === "context") continue; // its data (timing); its functions are counted below
    if (part === "links" && member === "peers") out.push("liveness");
    // Reads of the connection table (what status reports) change nothing: not a call into Links.
    else if (part === "links" && ["table", "statusConnections", "infos"].includes(member ?? ""))
      out.push("table");
    else out.push(part!);
  }
  // Asking a role what it offers or may spare reads it; telling it news calls it.
  if (/\borb\.roles\b/.test(text))
    out.push(/\.(operations|mayCloseUnused)\(/.test(text) ? "role-state" : "roles");
  if (/\borb\.close\b/.test(text)) out.push("links"); // Orbiter.close is Links.close
  return out;
}

/** Calls between parts made through their hosts: part -> parts it calls, not deferred. */
function callGraph(wiring: string): { graph: Graph; deferred: string[] } {
  const graph: Graph = new Map();
  const deferred: string[] = [];
  const context = /function partContext[\s\S]*?^\}/m.exec(wiring)![0];
  const contextTargets = targetsOf(context);
  for (const [fn, part] of Object.entries(BUILDERS)) {
    const body = new RegExp(`^function ${fn}\\([\\s\\S]*?^\\}`, "m").exec(wiring)?.[0];
    if (body === undefined) throw new Error(`wiring.ts has no ${fn}`);
    addEdge(graph, part, part);
    if (body.includes("...parts.context")) for (const t of contextTargets) addEdge(graph, part, t);
    // One member per line at the object's indentation; its arrow runs until the next one.
    const members = body.split(/\n(?= {4}(?:get )?\w+[:(])/);
    for (const member of members) {
      const name = /^ {4}(?:get )?(\w+)/.exec(member)?.[1] ?? "";
      const targets = targetsOf(member);
      if (ENTRIES.has(`${part}.${name}`)) continue;
      if (member.includes("queueMicrotask(")) {
        for (const t of targets) deferred.push(`${part}.${name} -> ${t}`);
        continue;
      }
      for (const t of targets) addEdge(graph, part, t);
    }
  }
  // Inbound dispatch calls the handlers registered with it (the roles', by Orbiter.attach).
  for (const m of wiring.matchAll(/this\.inbound\.register\(this\.(\w+)/g)) addEdge(graph, "inbound", m[1]!);
  addEdge(graph, "inbound", "roles");
  return { graph, deferred };
}

// ---- the checks ----------------------------------------------------------------------------

describe("the orb's architecture", () => {
  it("runtime modules import each other without a cycle of value imports; type-only imports close none either", () => {
    const { values, types } = importGraphs();
    expect(values.size).toBeGreaterThan(30);
    expect(cycles(values)).toEqual([]);
    // Type-only imports may close a cycle (they vanish at run time), but today none does.
    const all: Graph = new Map();
    for (const g of [values, types])
      for (const [from, tos] of g) for (const to of [from, ...tos]) addEdge(all, from, to);
    expect(cycles(all)).toEqual([]);
  });

  it("the import-cycle check finds a cycle when there is one", () => {
    const g: Graph = new Map();
    addEdge(g, "a.ts", "b.ts");
    addEdge(g, "b.ts", "c.ts");
    addEdge(g, "c.ts", "a.ts");
    expect(cycles(g)).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
  });

  it("host interfaces do not reach back to themselves through the interfaces they name", () => {
    const bodies = hostInterfaces();
    expect([...bodies.keys()]).toEqual(
      expect.arrayContaining(["PartContext", "RoleHost", "LinksHost", "Role"]),
    );
    expect(cycles(interfaceGraph(bodies))).toEqual([]);
    const looped = new Map(bodies).set("PartContext", "role: RoleHost");
    expect(cycles(interfaceGraph(looped)).length).toBeGreaterThan(0);
  });

  it("no part calls back into a part that called it, but Links and the roles (documented)", () => {
    const wiring = readFileSync(join(ORB, "wiring.ts"), "utf8");
    const { graph, deferred } = callGraph(wiring);
    expect([...graph.get("links")!]).toEqual(expect.arrayContaining(["queries", "identity", "roles"]));
    expect([...graph.get("inbound")!]).toEqual(expect.arrayContaining(["links", "queries", "roles"]));
    expect(graph.get("links")!.has("roles")).toBe(true);
    expect(cycles(withoutAllowed(graph)).map((c) => c.join(" -> "))).toEqual([]);
    // Held messages go back to inbound dispatch only once the releasing call returned.
    expect(deferred).toEqual(["links.released -> inbound"]);
  });

  it("the call check finds a new callback cycle", () => {
    const wiring = readFileSync(join(ORB, "wiring.ts"), "utf8");
    // Inbound dispatch handing held messages back at once, as it did before restart probing moved.
    const sync = wiring.replace(/queueMicrotask\(\(\) =>/, "(() =>");
    expect(cycles(withoutAllowed(callGraph(sync).graph)).map((c) => c.join(" -> "))).toEqual([
      "inbound -> links -> inbound",
    ]);
  });
});
