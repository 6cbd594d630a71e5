import { type EventType, partitionOf } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform/db";
import { createEnvelope, type NewEvent } from "./envelope";
import { OUTBOX_CHANNEL } from "./events.schema";

/** How a use case publishes: inside its own transaction, so the event exists if and only if the change does. */
export interface Outbox {
  publish<T extends EventType>(tx: Queryable, event: NewEvent<T>): Promise<string>;
}

/**
 * The outbox of one producing service. `publish(tx, event)` validates the event against the
 * contracts and writes it to the `outbox` table within the caller's transaction; the relay sends it
 * once that transaction commits (NOTIFY wakes it at commit). Returns the event id.
 */
export function createOutbox(source: string): Outbox {
  return {
    async publish(tx, event) {
      const envelope = createEnvelope(source, event);
      // One round trip; the notification is delivered when (and only if) the transaction commits.
      await tx.query(
        `WITH written AS (
           INSERT INTO outbox (id, type, subject, partition, envelope) VALUES ($1, $2, $3, $4, $5)
         ) SELECT pg_notify('${OUTBOX_CHANNEL}', '')`,
        [envelope.id, envelope.type, envelope.subject, partitionOf(envelope.subject), envelope],
      );
      return envelope.id;
    },
  };
}
