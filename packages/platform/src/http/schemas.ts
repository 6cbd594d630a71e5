import { Type } from "typebox";
import { ProblemSchema } from "./problem";

/** Schema pieces every service's routes share (TypeBox). */

/** An id (UUIDv7 by convention, any UUID accepted). */
export const Id = Type.String({ format: "uuid" });

/** A UTC time, ISO 8601. */
export const DateTime = Type.String({ format: "date-time" });

/** `schema` or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** The `response` entries of a route's error statuses: each an `application/problem+json` document. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ProblemSchema]));
