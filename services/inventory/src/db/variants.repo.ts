import type { Queryable } from "@comptoir/platform";
import type { KnownVariant, VariantStatus } from "../model/variant";

export interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  name: string;
  status: VariantStatus;
}

export const toVariant = (row: VariantRow): KnownVariant => ({
  id: row.id,
  productId: row.product_id,
  sku: row.sku,
  name: row.name,
  status: row.status,
});

export async function upsertVariants(db: Queryable, variants: readonly KnownVariant[]): Promise<void> {
  if (variants.length === 0) return;
  await db.query(
    `INSERT INTO known_variants (id, product_id, sku, name, status)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (id) DO UPDATE SET product_id = excluded.product_id, sku = excluded.sku, name = excluded.name,
       status = excluded.status, updated_at = now()`,
    [
      variants.map((v) => v.id),
      variants.map((v) => v.productId),
      variants.map((v) => v.sku),
      variants.map((v) => v.name),
      variants.map((v) => v.status),
    ],
  );
}

export async function setProductStatus(db: Queryable, productId: string, status: VariantStatus): Promise<void> {
  await db.query("UPDATE known_variants SET status = $2, updated_at = now() WHERE product_id = $1", [
    productId,
    status,
  ]);
}

export async function findVariants(db: Queryable, ids: readonly string[]): Promise<Map<string, KnownVariant>> {
  const { rows } = await db.query<VariantRow>("SELECT * FROM known_variants WHERE id = ANY($1::uuid[])", [ids]);
  return new Map(rows.map((r) => [r.id, toVariant(r)]));
}

export async function findVariant(db: Queryable, id: string): Promise<KnownVariant | undefined> {
  return (await findVariants(db, [id])).get(id);
}

/** The demo catalog's variants with no stock level anywhere yet (the demo seed gives them stock). */
export async function listDemoVariantsWithoutStock(db: Queryable): Promise<KnownVariant[]> {
  const { rows } = await db.query<VariantRow>(
    `SELECT v.* FROM known_variants v
      WHERE v.demo AND NOT EXISTS (SELECT 1 FROM stock_levels l WHERE l.variant_id = v.id) ORDER BY v.id`,
  );
  return rows.map(toVariant);
}

/** Marks a variant as the demo catalog's (catalog.variant.created said so). */
export async function markDemo(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE known_variants SET demo = true WHERE id = $1", [id]);
}

/** Locks the variant's row until the transaction ends (one demo seed at a time per variant). */
export async function lockVariant(db: Queryable, id: string): Promise<void> {
  await db.query("SELECT 1 FROM known_variants WHERE id = $1 FOR UPDATE", [id]);
}

export async function hasStockLevels(db: Queryable, variantId: string): Promise<boolean> {
  const { rowCount } = await db.query("SELECT 1 FROM stock_levels WHERE variant_id = $1 LIMIT 1", [variantId]);
  return (rowCount ?? 0) > 0;
}
