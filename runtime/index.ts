/**
 * Orbitalis: a distributed-ready, plugin-oriented micro-kernel framework.
 *
 * ```ts
 * import { Core, Plugin, LocalHub } from "orbitalis";
 * ```
 * @packageDocumentation
 */
export {
  Core,
  type CompliantOptions,
  type CoreOptions,
  type CoreState,
  type RequirementOptions,
  type ExecuteOptions,
  type RequestOptions,
  type OutputContext,
  type Target,
} from "./orb/core.js";
export {
  Plugin,
  PLUGIN_ERROR_CODES,
  type PluginOptions,
  type PluginState,
  type OperationOptions,
  type OperationPolicy,
  type OperationContext,
  type EmitOptions,
  type OperationHandler,
} from "./orb/plugin.js";
export type { AuthOptions } from "./orb/auth.js";
export { META_LIMITS, type MessageMeta } from "./orb/meta.js";
export { Orb, type OrbHybridOptions, type HybridOperationOptions, type OfferWhen } from "./orb/orb.js";
export {
  DEFAULT_TIMING,
  type OrbOptions,
  type TimingOptions,
  type CloseOptions,
  type WaitOptions,
} from "./orb/options.js";
export type { OrbBusStatus, OrbEvents, SkipDetail, SkipReason } from "./orb/orb-events.js";
// The bases of Core, Plugin and Orb, as types: what their inherited methods take is named.
export type { Orbiter } from "./orb/orbiter.js";
export type { RequiringOrb } from "./orb/requiring-orb.js";
export type { OrbRole } from "./orb/connection.js";
export type {
  ConnectionFilter,
  ConnectionInfo,
  ConnectionRole,
  ConnectionState,
  DisconnectionDetail,
  DisconnectionReason,
} from "./orb/connection.js";
export type { AccessLists } from "./orb/policy.js";
export {
  CompiledSpec,
  fingerprint,
  registerValidators,
  setRemoteSchemaLimits,
  type DataCheck,
  type RemoteSchemaLimits,
  type PrecompiledValidator,
  type SchemaSpec,
  type JsonSchema,
  type WireSchemaSpec,
} from "./schema-spec.js";
export { ManualClock, systemClock, type Clock, type TimerHandle } from "./clock.js";
export {
  quietLogger,
  silentLogger,
  structuredLogger,
  type Logger,
  type LoggerOption,
  type StructuredLogger,
} from "./logger.js";
export type {
  CallableName,
  Contract,
  DataArgs,
  InputOf,
  OperationName,
  OperationTypes,
  OutputOf,
  Untyped,
} from "./orb/contract.js";
export { ID_PATTERN, RESERVED_ORB_IDS } from "./ids.js";
/** What `status()` resolves with (the protocol's status message). */
export type { StatusMessage } from "../generated/protocol/index.js";
export * from "./errors.js";
export type { Candidate, CandidateReason, UnmetRequirement } from "./orb/unmet.js";
export * from "./bus/index.js";
