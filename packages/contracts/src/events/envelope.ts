import { type Static, Type } from "typebox";

/**
 * The one envelope every event travels in (SPEC §4). `subject` is the id of the aggregate the fact
 * is about: events with the same subject are delivered in the order they were published.
 */
export const EnvelopeSchema = Type.Object(
  {
    id: Type.String({ format: "uuid", description: "UUIDv7, unique per event; the de-duplication key" }),
    type: Type.String({ pattern: "^[a-z]+\\.[a-z_]+\\.[a-z_]+$", description: "<service>.<entity>.<past-tense-verb>" }),
    source: Type.String({ minLength: 1, description: "the producing service" }),
    subject: Type.String({ minLength: 1, description: "the aggregate's id" }),
    occurredAt: Type.String({ format: "date-time" }),
    version: Type.Integer({ minimum: 1 }),
    data: Type.Unknown(),
    traceparent: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export type RawEnvelope = Static<typeof EnvelopeSchema>;

/**
 * Partitions per stream. An event's partition is a hash of its subject, so one subject's events
 * stay in one partition and are handled in order; partitions are what a consumer group's instances
 * share between them. Changing it re-partitions every stream: it is part of the wire contract.
 */
export const EVENT_PARTITIONS = 8;

/** FNV-1a (32 bit) of the subject, modulo EVENT_PARTITIONS: the same in every process and language. */
export function partitionOf(subject: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < subject.length; i++) {
    hash ^= subject.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % EVENT_PARTITIONS;
}
