export { BatchScope } from "./batch-scope";
export { EventBus, type EventBusOptions, migrateEventTables, type SubscribeOptions } from "./bus";
export type { EventHandler, HandleOutcome, HandlerContext, RetryPolicy } from "./consumer";
export type { DeadLetter } from "./dead-letters.repo";
export { createEnvelope, InvalidEventError, type NewEvent, parseEnvelope } from "./envelope";
export { eventsPart } from "./events.part";
export { eventsAdminRoutes } from "./events.routes";
export { type Outbox, observedOutbox, type PublishedEvent } from "./outbox";
export { createPgLogTransport, type PgLogOptions } from "./pg-log/pg-log.transport";
export type { AppendedEvent, Delivery, EventTransport, PartitionReader } from "./transport";
export { createTransport, type TransportSettings } from "./transport.factory";
export {
  type ApplyEvent,
  type ReadModelRebuildOptions,
  ReadModelRebuilder,
  readModelFreshness,
  type RebuildPhase,
  type RebuildState,
  type StreamFreshness,
} from "./rebuild";
