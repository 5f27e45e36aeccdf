/**
 * The tests that mutation testing (npm run mutation, stryker.config.mjs) runs against the
 * mutants of runtime/orb and runtime/bus: the in-process unit tests of the orbs and of the
 * local bus (LocalHub, ManualClock). No real broker, no child process, no type test, no 10,000-orb flood, and no
 * test that reads the runtime's source text (the architecture test would count Stryker's
 * instrumentation as code). See docs/mutation.md.
 */
import { configDefaults, defineConfig } from "vitest/config";
import base from "./vitest.config.js";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "test/unit/orb/**/*.test.ts",
      "test/unit/bus/**/*.test.ts",
      "test/unit/local-bus.test.ts",
      "test/unit/filter-index.test.ts",
      "test/unit/topic.test.ts",
    ],
    // The architecture tests read the runtime's source text (line counts, imports), which
    // Stryker's instrumentation changes.
    exclude: [...configDefaults.exclude, "**/architecture.test.ts"],
    // Left out: the 10,000-core discover flood (5 s plain, over 20 s instrumented; the bound
    // is also checked at small sizes) and the frozen-prototype check, which runs the bus in a
    // child process where no mutant is active.
    testNamePattern: /^(?!.*(from 10,000 invented core ids|where it is frozen))/,
    // Each test file imports the runtime once per worker, not once per file and mutant: the
    // import is most of a mutant's cost. The tests share no global state (orbs, hubs and
    // clocks are made per test).
    isolate: false,
  },
});
