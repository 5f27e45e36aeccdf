import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // As in tsconfig.json "paths": inside the repository "orbitalis" is the runtime's source.
    alias: [
      {
        find: /^orbitalis\/protocol$/,
        replacement: fileURLToPath(new URL("./generated/protocol/index.ts", import.meta.url)),
      },
      {
        find: /^orbitalis\/validation$/,
        replacement: fileURLToPath(new URL("./runtime/validation.ts", import.meta.url)),
      },
      {
        find: /^orbitalis\/testing$/,
        replacement: fileURLToPath(new URL("./runtime/testing/index.ts", import.meta.url)),
      },
      { find: /^orbitalis$/, replacement: fileURLToPath(new URL("./runtime/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // At least two workers: vitest's default (half the cores) leaves a 2-core machine one,
    // and the other core idle while the slow files (the AsyncAPI parser, the type checks)
    // run there; npm test took 178 s with two instead of 293 s with one.
    maxWorkers: Math.max(2, Math.floor(availableParallelism() / 2)),
  },
});
