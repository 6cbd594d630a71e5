import { type EventData, type EventType, partitionOf, type RawEnvelope, streamOf } from "@comptoir/contracts";
import { createEnvelope, createPgLogTransport } from "@comptoir/events";
import type { TestDatabase } from "./database";
import { testLogger } from "./http";

export interface EventPublisher {
  /**
   * Publishes an event as its producing service would (validated against the contracts), straight
   * onto the event log: how a test stands in for another service. Returns its envelope.
   */
  publish<T extends EventType>(type: T, data: EventData<T>, subject: string): Promise<RawEnvelope>;
  /** Makes a consumer group forget how far it read these streams: every event is delivered again. */
  rewind(group: string, streams: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** A producer on a PostgreSQL event log (a started service's `testbed.eventLog`). */
export async function createEventPublisher(eventLog: TestDatabase): Promise<EventPublisher> {
  const transport = await createPgLogTransport({
    url: eventLog.url,
    logger: testLogger("producers"),
    name: "producers",
  });
  return {
    async publish(type, data, subject) {
      const envelope = createEnvelope(streamOf(type), { type, subject, data });
      await transport.append(streamOf(type), [{ envelope, partition: partitionOf(envelope.subject) }]);
      return envelope;
    },
    rewind: (group, streams) => transport.resetGroup(group, streams),
    close: () => transport.close(),
  };
}
