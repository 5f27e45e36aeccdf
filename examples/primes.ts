/**
 * Distributed work: a core spreads prime checks over three worker plugins with
 * executeDistributed, and a periodic plugin pushes a heartbeat count the core sinks.
 *
 *   npx tsx examples/primes.ts
 */
import type { FromSchema } from "json-schema-to-ts";
import { pathToFileURL } from "node:url";
import { Core, LocalHub, Plugin, type Bus } from "orbitalis";

const N = { type: "integer", minimum: 0 } as const;
const Verdict = {
  type: "object",
  properties: { n: { type: "integer" }, prime: { type: "boolean" } },
  required: ["n", "prime"],
  additionalProperties: false,
} as const;

/** The contract, derived from the same `as const` schemas the operations declare. */
type Primes = { is_prime: { input: FromSchema<typeof N>; output: FromSchema<typeof Verdict> } };

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Runs the example. */
export async function runPrimes(newBus: () => Bus, log: (line: string) => void = console.log): Promise<void> {
  const workers = ["w1", "w2", "w3"].map((id) =>
    new Plugin<Primes>({ id, bus: newBus() }).operation(
      "is_prime",
      { input: { schemas: [N] }, output: { schemas: [Verdict] } },
      (n) => ({ n, prime: isPrime(n) }),
    ),
  );
  const core = new Core<Primes>({
    id: "sieve",
    bus: newBus(),
    requires: { is_prime: { minimum: 3, inputs: [{ schemas: [N] }], outputs: [{ schemas: [Verdict] }] } },
  });
  const found = new Map<number, string>();
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const numbers = Array.from({ length: 30 }, (_, i) => 100 + i);
  let answered = 0;
  core.onOutput("is_prime", (v, ctx) => {
    if (v.prime) found.set(v.n, ctx.plugin);
    if (++answered === numbers.length) resolveAll();
  });
  await Promise.all([core.start(), ...workers.map((w) => w.start())]);
  await core.compliant({ timeoutMs: 5000 });
  const plan = await core.executeDistributed("is_prime", numbers);
  log(
    `30 checks spread as ${["w1", "w2", "w3"].map((w) => `${w}: ${plan.filter((p) => p === w).length}`).join(", ")}`,
  );
  await all;
  log(
    `primes in 100..129: ${[...found.entries()]
      .sort(([a], [b]) => a - b)
      .map(([n, w]) => `${n} (${w})`)
      .join(", ")}`,
  );
  await core.stop();
  await Promise.all(workers.map((w) => w.stop()));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const hub = new LocalHub();
  await runPrimes(() => hub.bus());
}
