import { DEFAULT_PORTS } from "@comptoir/contracts";
import { AuthEnv, BaseServiceEnv, DatabaseEnv, Env, EventsEnv, Type } from "@comptoir/platform";

export const DEFAULT_MAIL_FROM = "Comptoir <no-reply@comptoir.local>";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.notifications),
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: "^smtps?://\\S+$",
      description:
        "an SMTP URL (smtp://user:pass@host:587 or smtps://host:465); unset, mails stay in the embedded mailbox",
    }),
  ),
  MAIL_FROM: Type.String({
    minLength: 3,
    pattern: "@",
    default: DEFAULT_MAIL_FROM,
    description: 'the From of every mail, an address with an optional name ("Comptoir <no-reply@example.com>")',
  }),
  NOTIFICATIONS_WORKER_MS: Type.Integer({
    minimum: 0,
    default: 1000,
    description:
      "how often (ms) each instance looks for mails to send, besides right after an event queued one (0: this instance sends none)",
  }),
  NOTIFICATIONS_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 5,
    description: "SMTP attempts of a mail before it is dead (1-100)",
  }),
  NOTIFICATIONS_RETRY_BASE_MS: Type.Integer({
    minimum: 1,
    default: 30_000,
    description: "ms before the second attempt of a failed mail, doubled at each further one (>= 1)",
  }),
  NOTIFICATIONS_RETRY_MAX_MS: Type.Integer({
    minimum: 1,
    default: 3_600_000,
    description: "the longest wait (ms) between two attempts of a mail (>= 1)",
  }),
  NOTIFICATIONS_HOLD_MS: Type.Integer({
    minimum: 0,
    default: 60_000,
    description:
      "ms a provisional mail (order received while its payment is pending, replenishment approved) waits for the outcome that replaces it (>= 0)",
  }),
});
