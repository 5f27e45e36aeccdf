/**
 * The connection table keeps its indexes by remote and by operation in step with its
 * connections.
 */
import { describe, expect, it } from "vitest";
import { CompiledSpec } from "../../../runtime/index.js";
import { Connection } from "../../../runtime/orb/connection.js";
import { ConnectionTable } from "../../../runtime/orb/connection-table.js";

const any = CompiledSpec.fromWire({ any: true });
const make = (remote: string, operation: string): Connection =>
  new Connection(remote, "e", operation, any, any, "in", "out", 0, "core");

describe("ConnectionTable", () => {
  it("finds connections by remote and operation, and forgets them on delete", () => {
    const table = new ConnectionTable();
    const a = make("p1", "echo");
    const b = make("p2", "echo");
    const c = make("p1", "sum");
    for (const x of [a, b, c]) table.add(x);
    expect(table.size).toBe(3);
    expect(table.find("p1", "sum", "core")).toBe(c);
    expect(table.ofOperation("echo", "core")).toEqual([a, b]);
    expect(table.countOperation("echo", "core")).toBe(2);
    expect(table.ofRemote("p1")).toEqual([a, c]);
    expect(table.remotes().sort()).toEqual(["p1", "p2"]);
    expect(table.delete(a)).toBe(true);
    expect(table.delete(a)).toBe(false);
    expect(table.ofOperation("echo", "core")).toEqual([b]);
    expect(table.ofRemote("p1")).toEqual([c]);
    expect(table.delete(c)).toBe(true);
    expect(table.hasRemote("p1")).toBe(false);
    expect(table.remotes()).toEqual(["p2"]);
    // A replaced connection (same remote and operation) is not deleted by its predecessor.
    const b2 = make("p2", "echo");
    table.delete(b);
    table.add(b2);
    expect(table.delete(b)).toBe(false);
    expect(table.find("p2", "echo", "core")).toBe(b2);
  });
});
