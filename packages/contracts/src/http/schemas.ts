import { Type } from "typebox";
import { Uuid } from "../events/common";

/** Schema pieces the routes of every service share (platform re-exports them). */

export { DateTime, Nullable } from "../events/common";

/** An id (UUIDv7 by convention, any UUID accepted). */
export const Id = Uuid;

/** `{ id }` in a path. */
export const IdParams = Type.Object({ id: Id });

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/** Up to `max` ids, comma-separated, in one query parameter (a batch lookup). */
export const IdList = (max: number, what: string) =>
  Type.String({
    pattern: `^${UUID}(,${UUID}){0,${max - 1}}$`,
    maxLength: max * 37 - 1,
    description: `comma-separated ${what} ids, at most ${max}`,
  });

/** A list's `pagination` member (SPEC §4). */
export const Pagination = Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() });

/** The deepest page of any list. */
export const MAX_PAGE = 10_000;
/**
 * The most rows a page may skip, (page − 1) × limit: PostgreSQL reads and throws away every row an
 * OFFSET skips, so its cost grows with it (1,000,000 rows: about 0.4 s; 2,000,000: 0.7–1 s, measured
 * on 2 cores), and an offset past bigint's range is an error, once a 500. Deeper than this, filter.
 */
export const MAX_PAGE_ROWS = 1_000_000;

/**
 * `page` (from 1) and `limit` for a list's querystring: spread into the querystring's object. The
 * page is capped at MAX_PAGE and at MAX_PAGE_ROWS / `max` (5,000 for a limit up to 200), so that
 * page × limit never passes MAX_PAGE_ROWS: anything larger is a 400 validation_failed.
 */
export const pageQuery = (limits: { max: number; default: number } = { max: 200, default: 50 }) => {
  const maxPage = Math.min(MAX_PAGE, Math.floor(MAX_PAGE_ROWS / limits.max));
  return {
    page: Type.Integer({ minimum: 1, maximum: maxPage, default: 1, description: `from 1, at most ${maxPage}` }),
    limit: Type.Integer({
      minimum: 1,
      maximum: limits.max,
      default: limits.default,
      description: `rows per page, at most ${limits.max}`,
    }),
  };
};

/** A list's answer, `{data, pagination}` (SPEC §4). */
export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ data: Type.Array(item), pagination: Pagination });
