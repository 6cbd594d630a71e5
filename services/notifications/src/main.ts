import { eventsPart } from "@comptoir/events";
import { migrationsDirOf, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";
import { createSmtpMailer } from "./mail/smtp.mailer";

await runService({
  name: "notifications",
  configSchema,
  migrationsDir: migrationsDirOf(import.meta.url),
  events: eventsPart,
  buildApp: ({ config, db, bus, logger, instance, auth }) => {
    const mailer = config.SMTP_URL ? createSmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM }) : undefined;
    logger.info(
      { delivery: mailer ? "smtp" : "embedded mailbox", from: config.MAIL_FROM },
      mailer ? "mails are sent by SMTP" : "no SMTP_URL: mails are kept in the embedded mailbox",
    );
    return buildApp({
      db: db!,
      bus: bus!,
      logger,
      instance,
      auth,
      mailer,
      workerMs: config.NOTIFICATIONS_WORKER_MS,
      holdMs: config.NOTIFICATIONS_HOLD_MS,
      delivery: {
        maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS,
        retryBaseMs: config.NOTIFICATIONS_RETRY_BASE_MS,
        retryMaxMs: config.NOTIFICATIONS_RETRY_MAX_MS,
      },
    });
  },
});
