import { type EventData, type EventType, partitionOf, type RawEnvelope, streamOf } from "@comptoir/contracts";
import { createEnvelope, createPgLogTransport } from "@comptoir/events";
import { migrationsDirOf } from "@comptoir/platform";
import { startService, type StartedService, testLogger, waitFor } from "@comptoir/testing";
import { buildApp } from "../../src/app";

/**
 * Search alone, its bus started on its own event log, and a producer that stands in for catalog and
 * inventory: events are appended to the log as those services' outboxes would, and go through
 * search's real handlers. `settle` waits until every event appended has been handled.
 */
export interface SearchHarness {
  search: StartedService;
  /** Publishes an event (validated against the contracts); `occurredAt` may be set to make it older. */
  publish<T extends EventType>(
    type: T,
    data: EventData<T>,
    subject: string,
    options?: { occurredAt?: string },
  ): Promise<RawEnvelope>;
  /** Appends an envelope published before again (a redelivery under a new position). */
  republish(envelope: RawEnvelope): Promise<void>;
  /** Waits until search has handled everything appended so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startSearch(name: string): Promise<SearchHarness> {
  const search = await startService({
    service: "search",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    bus: { rebalanceMs: 100, waitMs: 50 },
    startBus: true,
    build: buildApp,
  });
  const transport = await createPgLogTransport({
    url: search.testbed.eventLog.url,
    logger: testLogger("producers"),
    name: "producers",
  });
  search.onClose("the producers' transport", () => transport.close());
  const append = (envelope: RawEnvelope) =>
    transport.append(streamOf(envelope.type as EventType), [{ envelope, partition: partitionOf(envelope.subject) }]);
  return {
    search,
    async publish(type, data, subject, options = {}) {
      const envelope = createEnvelope(streamOf(type), { type, subject, data });
      if (options.occurredAt) envelope.occurredAt = options.occurredAt;
      await append(envelope);
      return envelope;
    },
    republish: append,
    async settle() {
      await waitFor(
        () => transport.lag("search", ["catalog", "inventory"]),
        (lag) => Object.values(lag).every((n) => n === 0),
        "search to handle every event",
      );
    },
    close: () => search.close(),
  };
}
