import { measureCalls } from "./remote.js";
const o = { samples: 5000, messages: 5000, bursts: 1, window: 1000 };
for (const r of await measureCalls("mqtt", ["raw", "orbitalis"], o)) console.log(r.contender, r.requestP50Ms.toFixed(3), r.requestP99Ms.toFixed(3));
process.exit(0);
