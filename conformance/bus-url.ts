/**
 * The kit's bus clients, made by the runtime's own adapters from a URL.
 */
import { MqttBus, NatsBus, RedisBus, type Bus } from "orbitalis";

/** The bus kind a URL names (`mqtt`, `nats`, `redis`), or undefined for anything else. */
export function busKind(url: string): "mqtt" | "nats" | "redis" | undefined {
  const scheme = /^([a-z]+):\/\//.exec(url)?.[1];
  if (scheme === "mqtt" || scheme === "mqtts" || scheme === "ws" || scheme === "wss") return "mqtt";
  if (scheme === "nats") return "nats";
  if (scheme === "redis" || scheme === "rediss") return "redis";
  return undefined;
}

/** A new bus client for `url`. @throws Error for a URL of no known bus. */
export function busFor(url: string): Bus {
  switch (busKind(url)) {
    case "mqtt":
      return new MqttBus({ url });
    case "nats":
      return new NatsBus({ servers: url });
    case "redis":
      return new RedisBus({ url });
    default:
      throw new Error(`${JSON.stringify(url)} is not an mqtt://, nats:// or redis:// URL`);
  }
}
