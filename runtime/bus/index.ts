/**
 * The event bus: the {@link Bus} interface, topic rules, and the adapters (in-process,
 * MQTT, NATS, Redis).
 * @packageDocumentation
 */

export type {
  Bus,
  BusCapabilities,
  BusConnectOptions,
  BusStatus,
  BusStatusListener,
  BusWill,
  MessageHandler,
  PublishOptions,
  Subscription,
  ValueHandler,
} from "./bus.js";
export { BaseBus, type BaseBusOptions, type BusErrorReporter } from "./base.js";
// What a custom adapter needs to reject bad topics and filters as every bus does.
export { MAX_TOPIC_LENGTH, validateFilter, validateTopic } from "./topic.js";
export { LocalHub, type LocalHubOptions } from "./local-hub.js";
export { LocalBus, type LocalBusOptions } from "./local-bus.js";
export { MqttBus, type MqttBusOptions, type MqttQos } from "./mqtt.js";
export { NatsBus, type NatsBusOptions } from "./nats.js";
export { RedisBus, type RedisBusOptions } from "./redis.js";
// Helpers shared by the adapters and their tests (JSON encoding, filter matching, the
// NATS and Redis translations) are not public: they are listed in runtime/internal.ts.
