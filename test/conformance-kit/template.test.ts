import { describe, expect, it } from "vitest";
import { mismatch, references, substitute, TemplateError, topicMatches } from "../../conformance/template.js";

const scope = {
  impl: "impl-1",
  root: "conf-x",
  timing: { holdMs: 1000 },
  offer: { id: "o-1", ops: ["a", "b"] },
};

describe("templates", () => {
  it("a whole template keeps the value's type; inside a string it becomes text", () => {
    expect(substitute("${timing.holdMs}", scope)).toBe(1000);
    expect(substitute("${root}/plugin/${impl}/reply", scope)).toBe("conf-x/plugin/impl-1/reply");
    expect(substitute("${offer.ops.1}", scope)).toBe("b");
    expect(substitute({ a: ["${offer.id}", 3, null] }, scope)).toEqual({ a: ["o-1", 3, null] });
    expect(substitute("hold ${timing}", scope)).toBe('hold {"holdMs":1000}');
  });

  it("an unknown reference says what is known", () => {
    expect(() => substitute("${offr.id}", scope)).toThrow(TemplateError);
    expect(() => substitute("${offr.id}", scope)).toThrow(
      /unknown reference \$\{offr\.id\} \(known: impl, offer, root, timing\)/,
    );
    expect(() => substitute("${offer.nope}", scope)).toThrow(/no field "nope"/);
  });

  it("lists the references of a value", () => {
    expect(references({ a: "${x.y} and ${z}", b: ["${w}"] })).toEqual(["x.y", "z", "w"]);
  });
});

describe("matchers", () => {
  it("scalars and arrays exactly, objects partially", () => {
    expect(mismatch(1, 1)).toBeUndefined();
    expect(mismatch("1", 1)).toBe('expected 1, found "1"');
    expect(mismatch({ a: 1, b: 2 }, { a: 1 })).toBeUndefined();
    expect(mismatch({ a: { b: [1, 2] } }, { a: { b: [1] } })).toBe("a.b: expected [1], found [1,2]");
    expect(mismatch([{ n: 1, x: 0 }], [{ n: 1 }])).toBeUndefined();
    expect(mismatch(undefined, { a: 1 })).toMatch(/expected an object/);
  });

  it("named matchers", () => {
    expect(mismatch({ a: 1 }, { a: { present: true } })).toBeUndefined();
    expect(mismatch({}, { a: { present: true } })).toBe("a: expected present, found (absent)");
    expect(mismatch({}, { a: { absent: true } })).toBeUndefined();
    expect(mismatch({ a: 0 }, { a: { absent: true } })).toBe("a: expected absent, found 0");
    expect(mismatch("b", { oneOf: ["a", "b"] })).toBeUndefined();
    expect(mismatch("c", { oneOf: ["a", "b"] })).toBe('expected one of ["a","b"], found "c"');
    expect(mismatch([{ name: "x", v: 1 }, { name: "y" }], { contains: { name: "y" } })).toBeUndefined();
    expect(mismatch([{ name: "x" }], { contains: { name: "y" } })).toMatch(/a list containing/);
    expect(mismatch("e1", { not: "e2" })).toBeUndefined();
    expect(mismatch("e1", { not: "e1" })).toBe('expected not "e1", found "e1"');
    expect(mismatch(5, { gte: 5 })).toBeUndefined();
    expect(mismatch(4, { gte: 5 })).toBe("expected >= 5, found 4");
    expect(mismatch(6, { lte: 5 })).toBe("expected <= 5, found 6");
    expect(mismatch([1, 2], { length: 2 })).toBeUndefined();
  });

  it("an object with a matcher name and other keys is a partial object", () => {
    expect(mismatch({ present: 1, b: 2 }, { present: 1, b: 2 })).toBeUndefined();
  });

  it("topic filters", () => {
    expect(topicMatches("r/+/x", "r/a/x")).toBe(true);
    expect(topicMatches("r/#", "r/a/b")).toBe(true);
    expect(topicMatches("r/+", "r/a/b")).toBe(false);
    expect(topicMatches("r/a", "r/a")).toBe(true);
    expect(topicMatches("r/a/b", "r/a")).toBe(false);
  });
});
