import type { Static, TSchema } from "typebox";

/** One event type: its payload schema (validated on publish and on consume), version and meaning. */
export interface EventDefinition<S extends TSchema = TSchema> {
  /** Bumped on a breaking payload change; consumers see it in the envelope. */
  version: number;
  /** What the envelope's `subject` is for this type (the aggregate whose order is kept). */
  subject: string;
  description: string;
  data: S;
}

export function defineEvent<S extends TSchema>(definition: EventDefinition<S>): EventDefinition<S> {
  return definition;
}

export type DataOf<D> = D extends EventDefinition<infer S> ? Static<S> : never;
