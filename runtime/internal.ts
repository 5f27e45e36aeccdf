/**
 * Names the runtime shares between its own modules and its tests, but does not promise to
 * users: not re-exported by `runtime/index.ts`, and no entry point of the package (the
 * `exports` map of `packages/orbitalis/package.json` does not reach it).
 *
 * The rule: a name that users do not need (a helper of the adapters, a translation tested
 * on its own) is exported from its module and listed here, never from the index. The
 * public surface is recorded in `api/*.api.md` (`npm run api`; CI runs `npm run check:api`).
 * @packageDocumentation
 */

export { checkPayload, decodeJson, encodeJson } from "./bus/base.js";
export { checkJsonValue, freezeValue } from "./bus/json-value.js";
export { compileFilter, isWildcardFilter, matchFilter, type TopicMatcher } from "./bus/topic.js";
export { filterToSubjects, topicToSubject } from "./bus/nats.js";
export { filterToRedisKey } from "./bus/redis.js";
