import { DEMO_STORES } from "@comptoir/contracts";
import type { Outbox } from "@comptoir/events";
import { type Db, withTx } from "@comptoir/platform";
import { findStore, insertRegister, insertStore } from "../db/stores.repo";
import { publishStore } from "../domain/retail.events";
import type { Address, OpeningHours } from "../model/store";

const weekdays = (open: string, close: string) => [{ open, close }];
const hours = (sunday: OpeningHours["sun"]): OpeningHours => ({
  mon: weekdays("10:00", "19:30"),
  tue: weekdays("10:00", "19:30"),
  wed: weekdays("10:00", "19:30"),
  thu: weekdays("10:00", "19:30"),
  fri: weekdays("10:00", "20:00"),
  sat: weekdays("09:30", "20:00"),
  sun: sunday,
});

/** Where the demo stores are (their ids, codes and names come from @comptoir/contracts' DEMO_STORES). */
const DETAILS: Record<string, { address: Address; phone: string; email: string; openingHours: OpeningHours }> = {
  "STORE-1": {
    address: { line1: "18 rue de Rivoli", postalCode: "75004", city: "Paris", country: "FR" },
    phone: "+33 1 42 72 18 18",
    email: "paris-rivoli@comptoir.example",
    openingHours: hours([{ open: "11:00", close: "18:00" }]),
  },
  "STORE-2": {
    address: { line1: "45 rue de la République", postalCode: "69002", city: "Lyon", country: "FR" },
    phone: "+33 4 78 37 45 45",
    email: "lyon-republique@comptoir.example",
    openingHours: hours([]),
  },
  "STORE-3": {
    address: {
      line1: "112 rue Sainte-Catherine",
      line2: "Galerie des Grands Hommes",
      postalCode: "33000",
      city: "Bordeaux",
      country: "FR",
    },
    phone: "+33 5 56 44 11 12",
    email: "bordeaux-sainte-catherine@comptoir.example",
    openingHours: hours([]),
  },
};

/** The demo registers' fixed ids: register j (1, 2) of demo store i (1, 2, 3). */
export const demoRegisterId = (store: number, register: number) =>
  `0192f5a0-0000-7000-8000-00000000d${store}0${register}`;

/** Any 64-bit key of retail's own: only one instance seeds at a time. */
const SEED_LOCK = 0x7265_7461_696c_01n;

/**
 * The demo stores (COMPTOIR_DEMO), each with two registers, in Europe/Paris: once per database.
 * Inventory seeds their stock locations itself (the same DEMO_STORES ids), so it is not called here.
 * Safe when several instances start together: one transaction under an advisory lock, and every
 * insert skips what exists. A store added publishes `retail.store.created` in that transaction, as
 * one created through the API does. `created`: whether this call added any store.
 */
export async function seedDemoStores(deps: { db: Db; outbox: Outbox }): Promise<{ created: boolean }> {
  return withTx(deps.db, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [SEED_LOCK.toString()]);
    let created = false;
    for (const [i, demo] of DEMO_STORES.entries()) {
      const details = DETAILS[demo.code]!;
      const store = await insertStore(
        tx,
        {
          id: demo.storeId,
          code: demo.code,
          name: demo.name,
          ...details,
          managerId: null,
          timezone: "Europe/Paris",
          locationId: demo.locationId,
        },
        { ignoreExisting: true },
      );
      if (store) {
        created = true;
        await publishStore(tx, deps.outbox, "created", store);
      }
      // A store of another id holding the demo code: leave it alone.
      else if (!(await findStore(tx, demo.storeId))) continue;
      for (const j of [1, 2]) {
        await insertRegister(
          tx,
          { id: demoRegisterId(i + 1, j), storeId: demo.storeId, code: `CAISSE-${j}`, name: `Caisse ${j}` },
          { ignoreExisting: true },
        );
      }
    }
    return { created };
  });
}
