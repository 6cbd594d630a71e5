export * from "./bus";
export * from "./consumer";
export type { DeadLetter } from "./dead-letters.repo";
export * from "./envelope";
export * from "./events.routes";
export * from "./outbox";
export * from "./pg-log/pg-log.transport";
export * from "./transport";
export * from "./transport.factory";
