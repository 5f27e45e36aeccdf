/**
 * What the smart home example must show on any bus (examples/smart-home.ts): the lines
 * that prove its rules, in an order that does not depend on the bus's timing.
 */
import { expect } from "vitest";

export function expectSmartHomeStory(out: readonly string[]): void {
  expect(out).toContain("home: not-compliant -> compliant");
  expect(out).toContain("home: lamp-x says it is on");
  // The RGB color went only to the RGB lamp, the HSV one only to the HSV lamp.
  expect(out.filter((l) => /^ {2}lamp-.: color/.test(l)).sort()).toEqual([
    "  lamp-x: color rgb(255, 160, 0)",
    "  lamp-y: color hsv(38, 1, 1)",
  ]);
  expect(out).toContain("  sent to lamp-x");
  expect(out).toContain("  sent to lamp-y");
  expect(out).toContain('request("get_status", to lamp-x) -> lamp-x is on');
  expect(out).toContain('request("get_status", to lamp-y) -> lamp-y is on');
  expect(out.at(-1)).toBe("home: stopping -> stopped");
}
