import { type EventType, partitionOf } from "@comptoir/contracts";
import { afterCommit, type Queryable } from "@comptoir/platform/db";
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

/** Any event a service publishes, its `data` known from its `type`. */
export type PublishedEvent = { [T in EventType]: NewEvent<T> }[EventType];

/**
 * The same outbox, calling `observe(event)` once the transaction that published the event has
 * committed (never for one rolled back): a service's business metrics count their facts from the
 * events that record them, so each is counted once per effect — the outbox's own guarantee.
 */
export function observedOutbox(outbox: Outbox, observe: (event: PublishedEvent) => void): Outbox {
  return {
    async publish(tx, event) {
      const id = await outbox.publish(tx, event);
      afterCommit(tx, () => observe(event as PublishedEvent));
      return id;
    },
  };
}
