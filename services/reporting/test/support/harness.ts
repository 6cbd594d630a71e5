import { type EventData, type EventType, partitionOf, type RawEnvelope, streamOf } from "@comptoir/contracts";
import { createEnvelope, createPgLogTransport } from "@comptoir/events";
import { migrationsDirOf } from "@comptoir/platform";
import { startService, type StartedService, testLogger, waitFor } from "@comptoir/testing";
import { buildApp, type ReportingDeps } from "../../src/app";

/**
 * Reporting alone, its bus started on its own event log, and a producer that stands in for orders,
 * retail, catalog (and inventory, supply): events are appended to the log as those services'
 * outboxes would, and go through reporting's real handlers. `settle` waits until every event
 * appended has been handled. (search's harness, test/support/harness.ts, is the model.)
 */
export interface ReportingHarness {
  reporting: StartedService;
  /** Publishes an event (validated against the contracts); `occurredAt` may be set (an older event, a day). */
  publish<T extends EventType>(
    type: T,
    data: EventData<T>,
    subject: string,
    options?: { occurredAt?: string },
  ): Promise<RawEnvelope>;
  /** Appends an envelope published before again (a redelivery under a new position). */
  republish(envelope: RawEnvelope): Promise<void>;
  /** Appends envelopes made by `envelope` in the given order (one append each). */
  appendAll(envelopes: readonly RawEnvelope[]): Promise<void>;
  /** Waits until reporting has handled everything appended so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** An envelope as a producer's outbox would make it; not appended. */
export function envelope<T extends EventType>(
  type: T,
  data: EventData<T>,
  subject: string,
  options: { occurredAt?: string } = {},
): RawEnvelope {
  const made = createEnvelope(streamOf(type), { type, subject, data });
  if (options.occurredAt) made.occurredAt = options.occurredAt;
  return made;
}

export async function startReporting(
  name: string,
  options: { onlineTimeZone?: string; overstockDays?: number; onRebuildPhase?: ReportingDeps["onRebuildPhase"] } = {},
): Promise<ReportingHarness> {
  const reporting = await startService({
    service: "reporting",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    bus: { rebalanceMs: 100, waitMs: 50 },
    startBus: true,
    build: (parts) => buildApp({ ...parts, ...options }),
  });
  const transport = await createPgLogTransport({
    url: reporting.testbed.eventLog.url,
    logger: testLogger("producers"),
    name: "producers",
  });
  reporting.onClose("the producers' transport", () => transport.close());
  const append = (made: RawEnvelope) =>
    transport.append(streamOf(made.type as EventType), [{ envelope: made, partition: partitionOf(made.subject) }]);
  // Every stream consumer group "reporting" reads.
  const streams = [
    ...new Set(
      reporting.bus
        .consumerGroups()
        .filter((g) => g.group === "reporting")
        .flatMap((g) => g.types.map((t) => streamOf(t as EventType))),
    ),
  ];
  return {
    reporting,
    async publish(type, data, subject, publishOptions = {}) {
      const made = envelope(type, data, subject, publishOptions);
      await append(made);
      return made;
    },
    republish: append,
    async appendAll(envelopes) {
      for (const made of envelopes) await append(made);
    },
    async settle() {
      await waitFor(
        () => transport.lag("reporting", streams),
        (lag) => Object.values(lag).every((n) => n === 0),
        "reporting to handle every event",
      );
    },
    close: () => reporting.close(),
  };
}
