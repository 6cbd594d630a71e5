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
