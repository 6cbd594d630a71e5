import { DEMO_STORES } from "@comptoir/contracts";
import { type Logger, withTx } from "@comptoir/platform";
import * as locationsRepo from "../db/locations.repo";
import * as variantsRepo from "../db/variants.repo";
import { giveDemoStock } from "../domain/demo-stock";
import type { InventoryDeps } from "../domain/ledger";

/**
 * The demo stores' locations (idempotent), with the ids of DEMO_STORES (contracts): retail creates
 * the stores with the same ids, identity's demo cashiers work in them.
 */
export async function seedDemoLocations(deps: Pick<InventoryDeps, "db">): Promise<void> {
  for (const store of DEMO_STORES) {
    await locationsRepo.insertLocation(
      deps.db,
      { id: store.locationId, code: store.code, name: store.name, kind: "store", storeId: store.storeId },
      { ignoreExisting: true },
    );
  }
}

/**
 * At start in demo mode (COMPTOIR_DEMO): the demo stores' locations, and stock for any of the demo
 * catalog's variants that has none yet (learnt before the stores existed). Safe to run at every start.
 */
export async function seedDemoStock(deps: InventoryDeps, logger?: Logger): Promise<number> {
  await seedDemoLocations(deps);
  const variants = await variantsRepo.listDemoVariantsWithoutStock(deps.db);
  let seeded = 0;
  for (const variant of variants) {
    const done = await withTx(deps.db, async (tx) => {
      // Another instance may have seeded it meanwhile: the lock on the variant row decides.
      await variantsRepo.lockVariant(tx, variant.id);
      if (await variantsRepo.hasStockLevels(tx, variant.id)) return false;
      await giveDemoStock(tx, deps.outbox, variant);
      return true;
    });
    if (done) seeded++;
  }
  if (seeded > 0) logger?.info({ variants: seeded }, "demo stock seeded");
  return seeded;
}
