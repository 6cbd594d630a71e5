import type { ServicePart } from "../runtime/service-part";
import { startIdempotencyPruning } from "./idempotency";
import { migrateIdempotencyTables } from "./idempotency.schema";

/**
 * For a service whose writes take an Idempotency-Key (`runService({ parts: [idempotencyPart] })`):
 * the `idempotency_keys` table, and its pruning in the background of every instance, keeping keys
 * IDEMPOTENCY_RETENTION_HOURS (spread IdempotencyEnv into the config schema; default 24).
 */
export const idempotencyPart: ServicePart = {
  name: "idempotency",
  migrate: migrateIdempotencyTables,
  open: async ({ db, env, logger }) => {
    let stop: (() => Promise<void>) | undefined;
    return {
      value: undefined,
      start: async () => {
        stop = startIdempotencyPruning({ db, logger, retentionHours: Number(env.IDEMPOTENCY_RETENTION_HOURS ?? 24) });
      },
      stop: async () => {
        await stop?.();
      },
    };
  },
};
