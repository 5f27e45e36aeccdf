/**
 * Distributed work, on its contract (examples/contracts/primes.asyncapi.yaml): a sieve
 * core spreads prime checks over three worker plugins with executeDistributed and
 * collects the verdicts in an output sink.
 *
 *   npx tsx examples/primes.ts
 */
import { pathToFileURL } from "node:url";
import { LocalHub, type Bus } from "orbitalis";
import { SieveCore, WorkerPlugin, type Verdict } from "../generated/examples/primes/index.js";

/** A worker: the generated plugin type with its one handler. */
export class PrimeWorker extends WorkerPlugin {
  isPrime(n: number): Verdict {
    if (n < 2) return { n, prime: false };
    for (let d = 2; d * d <= n; d++) if (n % d === 0) return { n, prime: false };
    return { n, prime: true };
  }
}

/** Runs the example. */
export async function runPrimes(newBus: () => Bus, log: (line: string) => void = console.log): Promise<void> {
  const workers = ["w1", "w2", "w3"].map((id) => new PrimeWorker({ id, bus: newBus() }));
  const core = new SieveCore({ id: "sieve", bus: newBus() });
  const found = new Map<number, string>();
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const numbers = Array.from({ length: 30 }, (_, i) => 100 + i);
  let answered = 0;
  core.onOutput("is_prime", (verdict, ctx) => {
    if (verdict.prime) found.set(verdict.n, ctx.plugin);
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
