import { chmod, writeFile } from "node:fs/promises";
import { API_KEY_TIERS, type ApiKeyTier, DEMO_STORES, type Role } from "@comptoir/contracts";
import type { Outbox } from "@comptoir/events";
import { type Db, type Logger, newId, withTx } from "@comptoir/platform";
import * as apiKeys from "../db/api-keys.repo";
import * as seedRepo from "../db/seed.repo";
import * as users from "../db/users.repo";
import { insertNewApiKey } from "../domain/api-keys.use-cases";
import { hashPassword } from "../domain/passwords";
import { snapshotOf, withoutSecret } from "../model/user";

export const DEMO_PASSWORD = "comptoir-demo";

/** The demo stores (retail creates them with these ids): the manager works in store 1, a cashier in each. */
const [store1, store2, store3] = DEMO_STORES;

export const DEMO_ACCOUNTS: readonly { email: string; name: string; role: Role; storeId: string | null }[] = [
  { email: "admin@demo.comptoir.dev", name: "Alice Admin", role: "admin", storeId: null },
  { email: "manager@demo.comptoir.dev", name: "Marc Manager", role: "manager", storeId: store1.storeId },
  { email: "clerk@demo.comptoir.dev", name: "Chloé Caissière", role: "clerk", storeId: store1.storeId },
  { email: "clerk2@demo.comptoir.dev", name: "Lucas Caissier", role: "clerk", storeId: store2.storeId },
  { email: "clerk3@demo.comptoir.dev", name: "Inès Caissière", role: "clerk", storeId: store3.storeId },
  { email: "customer@demo.comptoir.dev", name: "Camille Cliente", role: "customer", storeId: null },
];
export const DEMO_EMAILS = DEMO_ACCOUNTS.map((a) => a.email);

export interface DemoDeps {
  db: Db;
  outbox: Outbox;
  logger?: Logger;
}

export interface DemoApiKey {
  name: string;
  tier: ApiKeyTier;
  key: string;
}

export interface DemoSeedResult {
  createdAccounts: string[];
  /** The keys created by this run (empty once they exist: keys are shown only once). */
  createdApiKeys: DemoApiKey[];
}

/**
 * Seeds the SPEC §6 demo accounts (and a cashier per demo store) and one API key per tier. Idempotent and safe with several
 * instances starting together (one advisory lock): accounts that exist are left alone, a tier that
 * already had a demo key gets none. New keys are written to `keysFile` (mode 0600) when given.
 */
export async function seedDemo(deps: DemoDeps, options: { keysFile?: string } = {}): Promise<DemoSeedResult> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const result = await withTx(deps.db, async (tx) => {
    await seedRepo.lockDemoSeed(tx);
    const createdAccounts: string[] = [];
    for (const account of DEMO_ACCOUNTS) {
      const inserted = await users.insertUserIfAbsent(tx, {
        id: newId(),
        email: account.email,
        name: account.name,
        passwordHash,
        role: account.role,
        storeId: account.storeId,
        language: "fr",
      });
      if (!inserted) continue;
      const user = withoutSecret(inserted);
      await deps.outbox.publish(tx, { type: "identity.user.registered", subject: user.id, data: snapshotOf(user) });
      createdAccounts.push(user.email);
    }
    const present = await apiKeys.demoTiersPresent(tx);
    const createdApiKeys: DemoApiKey[] = [];
    for (const tier of API_KEY_TIERS) {
      if (present.has(tier)) continue;
      const created = await insertNewApiKey(tx, { name: `demo-${tier}`, tier, createdBy: null, demo: true });
      createdApiKeys.push({ name: created.name, tier, key: created.key });
    }
    return { createdAccounts, createdApiKeys };
  });
  if (options.keysFile && result.createdApiKeys.length > 0) {
    await writeFile(options.keysFile, `${JSON.stringify(result.createdApiKeys, null, 2)}\n`, { mode: 0o600 });
    await chmod(options.keysFile, 0o600);
  }
  if (result.createdAccounts.length > 0 || result.createdApiKeys.length > 0) {
    deps.logger?.info(
      { accounts: result.createdAccounts, apiKeys: result.createdApiKeys.map((k) => k.name) },
      "demo accounts and API keys seeded",
    );
  }
  return result;
}
