import { type EventBus, eventsAdminRoutes } from "@comptoir/events";
import {
  type App,
  createApp,
  createRevocations,
  createTokenVerifier,
  type Db,
  degradesOnly,
  deriveServiceCredential,
  type Logger,
  pingDatabase,
  revocationCheckingVerifier,
} from "@comptoir/platform";
import { pruneRefreshTokens } from "./db/refresh-tokens.repo";
import { pruneRevocations } from "./db/revocations.repo";
import { listRevocations } from "./domain/revocations.use-cases";
import { DEFAULT_SETTINGS, type IdentitySettings } from "./model/settings";
import { KeyStore } from "./domain/signing-keys";
import { apiKeysRoutes } from "./routes/api-keys.routes";
import { authRoutes } from "./routes/auth.routes";
import { gatewayCheck } from "./routes/gateway.hooks";
import { keysRoutes } from "./routes/keys.routes";
import { meRoutes } from "./routes/me.routes";
import { revocationsRoutes } from "./routes/revocations.routes";
import { serviceTokensRoutes } from "./routes/service-tokens.routes";
import { usersRoutes } from "./routes/users.routes";

export interface IdentityDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Token lifetimes, KEYS_SECRET, INTERNAL_SECRET, login throttle; defaults suit development and tests. */
  settings?: Partial<IdentitySettings>;
}

/**
 * The identity service's HTTP API. Makes sure a signing key exists first (and rotates it when it is
 * older than SIGNING_KEY_ROTATION_DAYS); identity verifies its own tokens against that key store.
 */
export async function buildApp(deps: IdentityDeps): Promise<App> {
  const settings: IdentitySettings = { ...DEFAULT_SETTINGS, ...deps.settings };
  // Retired keys stay published while any token they signed may live, service tokens included.
  const tokenTtlSeconds = Math.max(settings.accessTokenTtlSeconds, settings.serviceTokenTtlSeconds);
  const keys = new KeyStore(deps.db, settings.keysSecret, tokenTtlSeconds);
  await keys.ensureActiveKey(settings.signingKeyRotationDays);
  // Housekeeping: refresh tokens dead for a week are of no use, not even to detect a reuse.
  await pruneRefreshTokens(deps.db, 7).catch((error: unknown) =>
    deps.logger.warn({ err: error }, "could not prune old refresh tokens"),
  );
  await pruneRevocations(deps.db).catch((error: unknown) =>
    deps.logger.warn({ err: error }, "could not prune old revocations"),
  );
  // Identity reads its own revocation list from its database, as other verifiers read it over HTTP.
  const revocations = createRevocations({ fetchPage: (after) => listRevocations(deps, after), logger: deps.logger });

  const app = await createApp({
    service: "identity",
    instance: deps.instance,
    logger: deps.logger,
    description: "Users, roles, permissions, tokens and API keys.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
    auth: revocationCheckingVerifier(createTokenVerifier({ keys: keys.getKey }), revocations),
  });
  app.addHook("onReady", async () => revocations.start());
  app.addHook("onClose", () => revocations.stop());
  const base = { db: deps.db, outbox: deps.bus.outbox };
  // The gateway proves its requests with its own credential, which identity derives.
  const gateway = gatewayCheck(deriveServiceCredential(settings.internalSecret, "gateway"));
  authRoutes(app, { ...base, keys, settings }, gateway);
  keysRoutes(app, { keys });
  meRoutes(app, { ...base, throttle: settings.loginThrottle, settings });
  usersRoutes(app, { ...base, settings });
  revocationsRoutes(app, { db: deps.db });
  apiKeysRoutes(app, base, gateway);
  serviceTokensRoutes(app, { keys, settings });
  eventsAdminRoutes(app, "identity", deps.bus);
  return app;
}
