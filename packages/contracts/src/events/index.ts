import type { Static, TSchema } from "typebox";
import { cartEvents } from "./cart.events";
import { catalogEvents } from "./catalog.events";
import type { EventDefinition } from "./define";
import { identityEvents } from "./identity.events";
import { inventoryEvents } from "./inventory.events";
import { ordersEvents } from "./orders.events";
import { paymentsEvents } from "./payments.events";
import { retailEvents } from "./retail.events";
import { supplyEvents } from "./supply.events";

export * from "./common";
export * from "./define";
export * from "./envelope";
export * from "./identity.events";
export * from "./catalog.events";
export * from "./inventory.events";
export * from "./supply.events";
export * from "./orders.events";
export * from "./payments.events";
export * from "./retail.events";
export * from "./cart.events";

/** Every event type of the platform, declared once. Publishing or consuming any other type is an error. */
export const EVENTS = {
  ...identityEvents,
  ...catalogEvents,
  ...inventoryEvents,
  ...supplyEvents,
  ...cartEvents,
  ...ordersEvents,
  ...paymentsEvents,
  ...retailEvents,
} satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof EVENTS;
export type EventData<T extends EventType> = (typeof EVENTS)[T]["data"] extends infer S extends TSchema
  ? Static<S>
  : never;

/** A typed event as handlers see it. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  source: string;
  subject: string;
  occurredAt: string;
  version: number;
  data: EventData<T>;
  traceparent?: string;
}

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENTS, type);
}

/** The producing service of a type: its first segment (`catalog.category.created` → `catalog`). */
export function streamOf(type: string): string {
  return type.slice(0, type.indexOf("."));
}
