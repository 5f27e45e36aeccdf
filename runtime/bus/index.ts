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
export {
  BaseBus,
  checkPayload,
  decodeJson,
  encodeJson,
  type BaseBusOptions,
  type BusErrorReporter,
} from "./base.js";
export {
  MAX_TOPIC_LENGTH,
  compileFilter,
  isWildcardFilter,
  matchFilter,
  validateFilter,
  validateTopic,
  type TopicMatcher,
} from "./topic.js";
export { LocalBus, LocalHub, type LocalBusOptions, type LocalHubOptions } from "./local.js";
export { checkJsonValue, freezeValue } from "./json-value.js";
export { MqttBus, type MqttBusOptions, type MqttQos } from "./mqtt.js";
export { NatsBus, filterToSubjects, topicToSubject, type NatsBusOptions } from "./nats.js";
export { RedisBus, filterToRedisKey, type RedisBusOptions } from "./redis.js";
