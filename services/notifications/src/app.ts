import { type EventBus, eventsAdminRoutes } from "@comptoir/events";
import {
  type App,
  createApp,
  type Db,
  degradesOnly,
  type Logger,
  pingDatabase,
  type TokenVerifier,
  type Tx,
} from "@comptoir/platform";
import { createDelivery, type DeliverySettings } from "./domain/delivery";
import { registerDeliveryMetrics } from "./metrics/delivery.metrics";
import { directoryHandlers } from "./events/directory.handlers";
import { mailHandlers } from "./events/mail.handlers";
import type { Mailer } from "./mail/smtp.mailer";
import { messagesRoutes } from "./routes/messages.routes";

export interface NotificationsDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  instance: string;
  /** Verifies access tokens (JWKS_URL); absent in tests that need no caller. */
  auth?: TokenVerifier;
  /** SMTP (SMTP_URL); without one, mails are kept in the embedded mailbox. Closed with the app. */
  mailer?: Mailer;
  delivery?: Partial<DeliverySettings>;
  /** How often this instance's sender looks for due mails, in ms; 0 turns it off (tests deliver by hand). */
  workerMs?: number;
  /** How long a provisional mail waits for the fact that would replace it, in ms. */
  holdMs?: number;
}

/** The notifications service: templated e-mails written from events, and the sender that delivers them. */
export async function buildApp(deps: NotificationsDeps): Promise<App> {
  const app = await createApp({
    service: "notifications",
    instance: deps.instance,
    logger: deps.logger,
    auth: deps.auth,
    description:
      "Templated e-mails (French and English) written from other services' events, sent by SMTP or kept in an embedded mailbox.",
    readiness: { database: () => pingDatabase(deps.db), events: degradesOnly(() => deps.bus.ping()) },
  });
  const metrics = registerDeliveryMetrics(app.comptoir.metrics.registry, deps.db);
  const delivery = createDelivery({
    db: deps.db,
    logger: deps.logger,
    mailer: deps.mailer,
    metrics,
    settings: deps.delivery,
  });

  // A handler's transaction is committed by the bus, after the handler returns; the pool's `release`
  // comes right after the COMMIT (or a ROLLBACK: then the sender finds nothing new), so the sender
  // is woken then instead of at its next round.
  const committing = new WeakSet<Tx>();
  const onRelease = (_error: unknown, client: Tx) => {
    if (committing.delete(client)) delivery.wake();
  };
  deps.db.on("release", onRelease);

  directoryHandlers(deps.bus);
  mailHandlers(deps.bus, { holdMs: deps.holdMs ?? 60_000, wakeAfterCommit: (tx) => committing.add(tx) });
  messagesRoutes(app, { db: deps.db, wake: () => delivery.wake() });
  eventsAdminRoutes(app, "notifications", deps.bus);

  const workerMs = deps.workerMs ?? 1000;
  let stop: (() => Promise<void>) | undefined;
  if (workerMs > 0) {
    app.addHook("onReady", async () => {
      stop = delivery.startWorker(workerMs);
    });
  }
  app.addHook("onClose", async () => {
    deps.db.off("release", onRelease);
    await stop?.();
    deps.mailer?.close();
  });
  return app;
}
