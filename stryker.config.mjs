// @ts-check
/**
 * Mutation testing of the runtime's rules (npm run mutation; docs/mutation.md).
 * StrykerJS mutates runtime/orb and runtime/bus and runs the fast in-process tests of
 * vitest.mutation.config.ts against each mutant, only the tests that cover it (perTest).
 * Incremental: results of unchanged code and tests are reused from reports/mutation/.
 */
/* global process */
// scripts/mutation.mjs --changed keeps its narrower run apart (Stryker's incremental file
// holds only the files of the last run).
const reports = process.env.ORBITALIS_MUTATION_REPORTS ?? "reports/mutation";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
const config = {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: ["runtime/orb/**/*.ts", "runtime/bus/**/*.ts"],
  coverageAnalysis: "perTest",
  // A static mutant (a module-level constant) needs every test rerun with a fresh module
  // graph, which would multiply the run time; they are reported as "Ignored".
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `${reports}/stryker-incremental.json`,
  reporters: ["html", "json", "progress"],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  // Two cores are the usual machine (and CI); more workers only queue.
  concurrency: 2,
  timeoutMS: 3000,
  // The gate is scripts/mutation.mjs (per folder: runtime/orb >= 80%), not Stryker's total.
  thresholds: { high: 90, low: 80, break: null },
};

export default config;
