import { connectAsync } from "mqtt";
import { Core, MqttBus, Plugin, silentLogger } from "./orbitalis.js";
import { TICK_SCHEMA } from "./local.js";
const TICK = { schemas: [TICK_SCHEMA] };
const url = "mqtt://127.0.0.1:1883";
const N = 5000;
const p50 = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!.toFixed(3);
// raw
{
  const a = await connectAsync(url, { protocolVersion: 5 }); const b = await connectAsync(url, { protocolVersion: 5 });
  b.on("message", (_t, p) => b.publish("x/res", p, { qos: 0 }));
  await b.subscribeAsync("x/req", { qos: 0 });
  let ans: (() => void) | undefined; a.on("message", () => ans?.()); await a.subscribeAsync("x/res", { qos: 0 });
  const t: number[] = [];
  for (let i = 0; i < N; i++) { const s = performance.now(); const w = new Promise<void>((r) => (ans = r)); a.publish("x/req", Buffer.from(JSON.stringify({ seq: i, body: "x".repeat(64) })), { qos: 0 }); await w; t.push(performance.now() - s); }
  console.log("raw p50", p50(t)); await a.endAsync(); await b.endAsync();
}
{
  const root = "x" + process.pid;
  const p = new Plugin({ id: "worker-0", bus: new MqttBus({ url }), root, logger: silentLogger });
  p.operation("work", { input: TICK, output: TICK }, (x) => x);
  await p.start();
  const core = new Core({ id: "c", bus: new MqttBus({ url }), root, logger: silentLogger, requires: { work: { inputs: [TICK], outputs: [TICK] } } });
  await core.start(); await core.compliant();
  const t: number[] = [];
  for (let i = 0; i < N; i++) { const s = performance.now(); await core.request("work", { seq: i, body: "x".repeat(64) }, { to: "worker-0" }); t.push(performance.now() - s); }
  console.log("orbitalis p50", p50(t));
  await core.stop(); await p.stop();
}
process.exit(0);
