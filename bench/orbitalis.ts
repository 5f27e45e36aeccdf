/**
 * The runtime as users run it: the built package (tsc's output, what `npm install
 * orbitalis` gives), not the sources through tsx, whose transform adds a helper call to
 * every function expression. `npm run bench` builds it first.
 */
export * from "../packages/orbitalis/dist/runtime/index.js";
