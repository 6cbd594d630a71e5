import type { Queryable } from "@comptoir/platform";
import type { Contribution } from "../model/contribution";

/**
 * The sales documents booked (a paid order, a till sale) and what each added to the rollups. One
 * subject's events are handled in order by one worker; the row lock below still makes each step safe
 * on its own.
 */
export type Recorded =
  /** First seen: book its contribution. */
  | { state: "new" }
  /** Voided before it arrived: book its voids only. */
  | { state: "voided_before" }
  /** Booked already (announced again): nothing. */
  | { state: "known" };

export async function recordDocument(
  db: Queryable,
  id: string,
  kind: "order" | "sale",
  contribution: Contribution,
): Promise<Recorded> {
  const inserted = await db.query(
    `INSERT INTO sales_documents (id, kind, contribution) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
    [id, kind, JSON.stringify(contribution)],
  );
  if (inserted.rowCount === 1) return { state: "new" };
  // A tombstone left by a void that came first: it receives the sale it was waiting for.
  const tombstone = await db.query(
    `UPDATE sales_documents SET contribution = $2 WHERE id = $1 AND voided AND contribution IS NULL`,
    [id, JSON.stringify(contribution)],
  );
  return tombstone.rowCount === 1 ? { state: "voided_before" } : { state: "known" };
}

/**
 * Records the documents not known yet, in one statement; the ids of those it recorded (the first of an
 * id met twice). The others are known already, or a void's tombstone waits for them: recordDocument
 * tells which.
 */
export async function recordNewDocuments(
  db: Queryable,
  docs: readonly { id: string; kind: "order" | "sale"; contribution: Contribution }[],
): Promise<Set<string>> {
  if (docs.length === 0) return new Set();
  // One JSON array: PostgreSQL reads it natively (an array parameter of JSON texts costs the driver
  // more, quoting every character).
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO sales_documents (id, kind, contribution)
     SELECT id, kind, contribution FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, kind text, contribution jsonb)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [JSON.stringify(docs)],
  );
  return new Set(rows.map((r) => r.id));
}

export type Voided =
  /** The sale was booked: take its contribution back out. */
  | { state: "voided"; contribution: Contribution }
  /** The sale has not arrived: a tombstone waits for it. */
  | { state: "tombstone" }
  /** Voided already: nothing. */
  | { state: "known" };

export async function voidDocument(db: Queryable, id: string): Promise<Voided> {
  const { rows } = await db.query<{ contribution: Contribution }>(
    `UPDATE sales_documents SET voided = true WHERE id = $1 AND NOT voided RETURNING contribution`,
    [id],
  );
  if (rows[0]) return { state: "voided", contribution: rows[0].contribution };
  const inserted = await db.query(
    `INSERT INTO sales_documents (id, kind, voided, contribution) VALUES ($1, 'sale', true, NULL) ON CONFLICT (id) DO NOTHING`,
    [id],
  );
  return inserted.rowCount === 1 ? { state: "tombstone" } : { state: "known" };
}
