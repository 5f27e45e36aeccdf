/**
 * Topics and MQTT-style topic filters, in one place for every adapter.
 *
 * Rules (checked by {@link validateTopic} and {@link validateFilter}):
 * - a topic is a non-empty string of at most {@link MAX_TOPIC_LENGTH} UTF-16 code units,
 *   made of `/`-separated levels; it contains no `+`, `#` or NUL and does not start with
 *   `$` (reserved for broker-internal topics such as `$SYS`). Empty levels (`a//b`, `/a`)
 *   are valid MQTT topics and are accepted here; adapters that cannot carry them (NATS)
 *   reject them with their own explanation.
 * - a filter follows the same rules except that `+` (exactly one level) and `#` (any
 *   number of levels, including none, so `a/#` matches `a`) may appear, each only as a
 *   whole level, and `#` only as the last level. A filter may start with `$` (to watch
 *   `$SYS/#` on a broker); per MQTT, a filter whose first level is a wildcard never
 *   matches a topic that starts with `$`.
 * @packageDocumentation
 */

import { InvalidTopicError } from "../errors.js";

/** Longest accepted topic or filter, in UTF-16 code units. */
export const MAX_TOPIC_LENGTH = 1024;

/** A compiled filter: tells whether a topic matches, without allocating. */
export type TopicMatcher = (topic: string) => boolean;

// One scan for the characters a topic may never contain.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is forbidden
const TOPIC_FORBIDDEN = /[+#\u0000]/;

function checkCommon(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new InvalidTopicError(String(value), `a ${what} must be a string, got ${typeof value}`);
  }
  if (value.length === 0) throw new InvalidTopicError(value, `a ${what} must not be empty`);
  if (value.length > MAX_TOPIC_LENGTH) {
    throw new InvalidTopicError(
      value.slice(0, 64) + "...",
      `a ${what} must be at most ${MAX_TOPIC_LENGTH} characters, got ${value.length}`,
    );
  }
  return value;
}

/**
 * Throws {@link InvalidTopicError} unless `topic` is a valid topic to publish to.
 * @returns the topic, typed as a string.
 */
export function validateTopic(topic: unknown): string {
  const t = checkCommon(topic, "topic");
  if (TOPIC_FORBIDDEN.test(t)) {
    const bad = t.includes("\u0000") ? "NUL" : t.includes("+") ? "'+'" : "'#'";
    throw new InvalidTopicError(t, `a topic must not contain ${bad} (wildcards belong in filters only)`);
  }
  if (t.charCodeAt(0) === 36 /* $ */) {
    throw new InvalidTopicError(t, "topics starting with '$' are reserved for the broker");
  }
  return t;
}

/**
 * Throws {@link InvalidTopicError} unless `filter` is a valid subscription filter.
 * @returns the filter, typed as a string.
 */
export function validateFilter(filter: unknown): string {
  const f = checkCommon(filter, "filter");
  if (f.includes("\u0000")) throw new InvalidTopicError(f, "a filter must not contain NUL");
  if (!f.includes("+") && !f.includes("#")) return f;
  const levels = f.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level === "#") {
      if (i !== levels.length - 1) throw new InvalidTopicError(f, "'#' is only allowed as the last level");
    } else if (level !== "+" && (level.includes("+") || level.includes("#"))) {
      throw new InvalidTopicError(f, `'+' and '#' must fill a whole level, found ${JSON.stringify(level)}`);
    }
  }
  return f;
}

/** True when `filter` contains `+` or `#` (assumes a valid filter). */
export function isWildcardFilter(filter: string): boolean {
  return filter.includes("+") || filter.includes("#");
}

/**
 * Tells whether `topic` matches `filter` (both assumed valid). For repeated matching of
 * one filter, {@link compileFilter} is faster.
 */
export function matchFilter(filter: string, topic: string): boolean {
  return compileFilter(filter)(topic);
}

/**
 * Compiles a valid filter into a matcher. Literal filters become a string comparison,
 * `prefix/#` a prefix test; filters with `+` walk the topic with `indexOf`, never
 * splitting it.
 */
export function compileFilter(filter: string): TopicMatcher {
  if (!isWildcardFilter(filter)) return (topic) => topic === filter;
  const levels = filter.split("/");
  const multi = levels[levels.length - 1] === "#";
  const fixed = multi ? levels.slice(0, -1) : levels;
  const firstIsWildcard = levels[0] === "+" || levels[0] === "#";
  if (!fixed.includes("+")) {
    // Only a trailing '#': "p/#" matches "p" and "p/..."; "#" matches every topic.
    if (fixed.length === 0) return (topic) => topic.charCodeAt(0) !== 36;
    const parent = fixed.join("/");
    const prefix = parent + "/";
    return (topic) => topic === parent || topic.startsWith(prefix);
  }
  const n = fixed.length;
  return (topic) => {
    if (firstIsWildcard && topic.charCodeAt(0) === 36) return false;
    let start = 0;
    for (let i = 0; i < n; i++) {
      if (start > topic.length) {
        // The topic ran out of levels: only "#" (zero levels) may still match.
        return false;
      }
      let end = topic.indexOf("/", start);
      if (end === -1) end = topic.length;
      const level = fixed[i] as string;
      if (level !== "+") {
        if (end - start !== level.length || !topic.startsWith(level, start)) return false;
      }
      start = end + 1;
    }
    // All fixed levels consumed: without '#', the topic must have ended exactly there.
    if (start > topic.length) return true; // topic ended on the last fixed level
    return multi;
  };
}
