/**
 * The demo data's fixed ids (COMPTOIR_DEMO), which several services seed on their side: retail
 * creates the stores with these ids, inventory their stock locations, identity their staff.
 */
export const DEMO_STORES = [
  {
    storeId: "0192f5a0-0000-7000-8000-000000000001",
    locationId: "0192f5a0-0000-7000-8000-00000000c101",
    code: "STORE-1",
    name: "Magasin 1",
  },
  {
    storeId: "0192f5a0-0000-7000-8000-000000000002",
    locationId: "0192f5a0-0000-7000-8000-00000000c102",
    code: "STORE-2",
    name: "Magasin 2",
  },
  {
    storeId: "0192f5a0-0000-7000-8000-000000000003",
    locationId: "0192f5a0-0000-7000-8000-00000000c103",
    code: "STORE-3",
    name: "Magasin 3",
  },
] as const;

/**
 * The `source` of the synthetic sales history `comptoir reporting seed-history` appends for demos
 * (retail's and orders' event types, never in their databases): consumers that act on a sale for real
 * (mails) skip these events; reporting books them like any other.
 */
export const SEED_HISTORY_SOURCE = "comptoir-seed-history";
