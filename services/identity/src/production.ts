import { DEFAULT_INTERNAL_SECRET } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import { countUnrevokedDemoKeys } from "./db/api-keys.repo";
import { countActiveByEmails } from "./db/users.repo";
import { DEMO_EMAILS } from "./seed/demo";
import { DEFAULT_KEYS_SECRET } from "./model/settings";

export const MIN_KEYS_SECRET_LENGTH = 32;
export const MIN_INTERNAL_SECRET_LENGTH = 32;

export interface ProductionCheckInput {
  nodeEnv: string;
  demo: boolean;
  keysSecret: string;
  internalSecret: string;
}

/**
 * Secure defaults: in production mode (NODE_ENV=production) identity refuses to start with demo
 * mode, the development KEYS_SECRET or INTERNAL_SECRET (or a short one), active demo accounts or
 * unrevoked demo API keys. Throws an Error whose message is one line saying what to fix; does
 * nothing in other modes.
 */
export async function assertProductionReady(db: Queryable, input: ProductionCheckInput): Promise<void> {
  if (input.nodeEnv !== "production") return;
  if (input.demo) {
    throw new Error("refusing to start in production with COMPTOIR_DEMO on: unset it or set it to false");
  }
  if (input.keysSecret === DEFAULT_KEYS_SECRET) {
    throw new Error("refusing to start in production with the development KEYS_SECRET: set a random secret");
  }
  if (input.keysSecret.length < MIN_KEYS_SECRET_LENGTH) {
    throw new Error(
      `refusing to start in production: KEYS_SECRET must be at least ${MIN_KEYS_SECRET_LENGTH} characters long`,
    );
  }
  if (input.internalSecret === DEFAULT_INTERNAL_SECRET) {
    throw new Error("refusing to start in production with the development INTERNAL_SECRET: set a random secret");
  }
  if (input.internalSecret.length < MIN_INTERNAL_SECRET_LENGTH) {
    throw new Error(
      `refusing to start in production: INTERNAL_SECRET must be at least ${MIN_INTERNAL_SECRET_LENGTH} characters long`,
    );
  }
  const demoAccounts = await countActiveByEmails(db, DEMO_EMAILS);
  if (demoAccounts > 0) {
    throw new Error(
      `refusing to start in production: the database holds ${demoAccounts} active demo account(s) (@demo.comptoir.dev); deactivate them`,
    );
  }
  const demoKeys = await countUnrevokedDemoKeys(db);
  if (demoKeys > 0) {
    throw new Error(
      `refusing to start in production: the database holds ${demoKeys} unrevoked demo API key(s); revoke them`,
    );
  }
}
