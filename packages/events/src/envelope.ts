import {
  EnvelopeSchema,
  EVENTS,
  type EventData,
  type EventEnvelope,
  type EventType,
  isEventType,
  type RawEnvelope,
} from "@comptoir/contracts";
import { Compile, type Validator } from "typebox/compile";
import { currentContext, formatTraceparent } from "@comptoir/platform/context";
import { startSpan } from "@comptoir/platform/tracing";
import { newId } from "@comptoir/platform";

/** An event that is not in the contracts, or whose payload breaks its schema. The message names it. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** What a use case publishes; the outbox wraps it in the envelope. */
export interface NewEvent<T extends EventType = EventType> {
  type: T;
  subject: string;
  data: EventData<T>;
}

const envelopeValidator = Compile(EnvelopeSchema);
const dataValidators = new Map<string, Validator>();

function dataValidator(type: EventType): Validator {
  let validator = dataValidators.get(type);
  if (!validator) {
    validator = Compile(EVENTS[type].data);
    dataValidators.set(type, validator);
  }
  return validator;
}

function describeErrors(validator: Validator, value: unknown): string {
  return [...validator.Errors(value)]
    .slice(0, 5)
    .map((e) => `${e.instancePath || "/"} ${e.message}`)
    .join("; ");
}

/** The full envelope of a new event, validated; the trace of the current request travels with it. */
export function createEnvelope<T extends EventType>(source: string, event: NewEvent<T>): RawEnvelope {
  if (!isEventType(event.type)) {
    throw new InvalidEventError(`cannot publish "${event.type}": not an event type declared in @comptoir/contracts`);
  }
  if (event.type.slice(0, event.type.indexOf(".")) !== source) {
    throw new InvalidEventError(`${source} cannot publish "${event.type}": a service publishes only its own events`);
  }
  const validator = dataValidator(event.type);
  if (!validator.Check(event.data)) {
    throw new InvalidEventError(
      `cannot publish "${event.type}": invalid data: ${describeErrors(validator, event.data)}`,
    );
  }
  const id = newId();
  return {
    id,
    type: event.type,
    source,
    subject: event.subject,
    occurredAt: new Date().toISOString(),
    version: EVENTS[event.type].version,
    data: event.data,
    ...traceOf(id, event.type),
  };
}

/**
 * The trace an event carries: within a request (or an event's handling), a PRODUCER span for its
 * creation — it is written to the outbox in the request's transaction and sent after the commit — whose
 * context goes in the envelope's `traceparent`, so that its handlers' spans are its children. Outside
 * any context (a periodic job) the event carries no trace.
 */
function traceOf(id: string, type: string): { traceparent?: string } {
  if (!currentContext()) return {};
  const span = startSpan(`publish ${type}`, {
    kind: "producer",
    attributes: {
      "messaging.operation.type": "create",
      "messaging.operation.name": "publish",
      "messaging.destination.name": type,
      "messaging.message.id": id,
    },
  });
  span.end();
  return { traceparent: formatTraceparent(span.context) };
}

/** Checks a received envelope and its payload against the contracts; throws InvalidEventError naming it. */
export function parseEnvelope(raw: unknown): EventEnvelope {
  if (!envelopeValidator.Check(raw)) {
    const id = (raw as { id?: unknown } | null)?.id;
    throw new InvalidEventError(
      `invalid event envelope${typeof id === "string" && id ? ` ${id}` : ""}: ${describeErrors(envelopeValidator, raw)}`,
    );
  }
  if (!isEventType(raw.type)) {
    throw new InvalidEventError(
      `unknown event type "${raw.type}" (event ${raw.id}): not declared in @comptoir/contracts`,
    );
  }
  const validator = dataValidator(raw.type);
  if (!validator.Check(raw.data)) {
    throw new InvalidEventError(`invalid "${raw.type}" event ${raw.id}: ${describeErrors(validator, raw.data)}`);
  }
  return raw as EventEnvelope;
}
