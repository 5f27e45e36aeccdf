/**
 * Names the repository's tests and tools may import but users may not rely on: helpers of
 * the adapters, translations tested on their own. Not re-exported by `runtime/index.ts`,
 * and no entry point of the package (its `exports` map does not reach this module).
 *
 * The rule: a name users do not need never goes in the index; when a test needs it, it is
 * listed here. The public surface is recorded in `api/*.api.md` (`npm run api`; CI runs
 * `npm run check:api`).
 * @packageDocumentation
 */

export { checkPayload, decodeJson, encodeJson } from "./bus/base.js";
export { checkJsonValue, freezeValue } from "./bus/json-value.js";
export { compileFilter, isWildcardFilter, matchFilter, type TopicMatcher } from "./bus/topic.js";
export { filterToSubjects, topicToSubject } from "./bus/nats.js";
export { filterToRedisKey } from "./bus/redis.js";
