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
export const problemResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ProblemSchema]));

/** A list's `pagination` member (SPEC §4). */
export const Pagination = Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() });

/** `page` (from 1) and `limit` for a list's querystring: spread into the querystring's object. */
export const pageQuery = (limits: { max: number; default: number } = { max: 200, default: 50 }) => ({
  page: Type.Integer({ minimum: 1, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: limits.max, default: limits.default }),
});

/** A list's answer, `{data, pagination}` (SPEC §4). */
export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ data: Type.Array(item), pagination: Pagination });
