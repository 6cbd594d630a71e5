export * from "./fingerprint";
export * from "./http";
export * from "./idempotency";
export { IDEMPOTENCY_TABLES_MIGRATIONS, migrateIdempotencyTables } from "./idempotency.schema";
export { idempotencyPart } from "./idempotency.part";
