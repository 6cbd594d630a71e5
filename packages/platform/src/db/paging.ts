import type { Queryable } from "./pool";

/** A query as `pg` takes it. */
export interface Sql {
  text: string;
  values: unknown[];
}

/**
 * A page of rows and the total number of rows, from one statement so that both come from the same
 * snapshot (two queries on a pool could see a row written between them: a total of 1 with an empty
 * page). `page` selects the page's rows with `count(*) OVER ()::int AS total` among its columns;
 * past the last page no row carries the total, so `count` (the same filter, `count(*)::int AS total`)
 * is run then, and only then.
 */
export async function selectPage<R extends object>(
  db: Queryable,
  page: Sql,
  count: Sql,
  offset: number,
): Promise<{ rows: R[]; total: number }> {
  const { rows } = await db.query<R & { total: number }>(page.text, page.values);
  if (rows.length === 0 && offset > 0) {
    const counted = await db.query<{ total: number }>(count.text, count.values);
    return { rows: [], total: counted.rows[0]?.total ?? 0 };
  }
  return {
    rows: rows.map(({ total: _total, ...row }) => row as unknown as R),
    total: rows[0]?.total ?? 0,
  };
}

/** A list's `page` (from 1) and `limit`, as a querystring gives them (defaults applied below). */
export interface PageRequest {
  page?: number;
  limit?: number;
}

/** Which rows a page is: its number, its size and the rows before it. */
export interface PageWindow {
  page: number;
  limit: number;
  offset: number;
}

/** The window of a page request: page from 1, limit between 1 and `max` (defaults: 50 of at most 200). */
export function pageOf(
  query: PageRequest,
  limits: { max: number; default: number } = { max: 200, default: 50 },
): PageWindow {
  const page = Math.max(1, Math.trunc(query.page ?? 1));
  const limit = Math.min(limits.max, Math.max(1, Math.trunc(query.limit ?? limits.default)));
  return { page, limit, offset: (page - 1) * limit };
}

/** A list's answer, `{data, pagination}` (SPEC §4). */
export interface Paginated<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number };
}

export const paginated = <T>(data: T[], window: PageWindow, total: number): Paginated<T> => ({
  data,
  pagination: { page: window.page, limit: window.limit, total },
});
