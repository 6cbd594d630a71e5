import {
  type App,
  bearerAuth,
  type Db,
  NotFoundError,
  ConflictError,
  requirePermission,
  Type,
  Id,
  DateTime,
  Nullable,
  problemResponses,
  pageQuery,
  Page,
} from "@comptoir/platform";
import * as repo from "../db/messages.repo";
import { TEMPLATE_NAMES } from "../templates";

const Status = Type.Union(
  [
    Type.Literal("queued"),
    Type.Literal("sent"),
    Type.Literal("stored"),
    Type.Literal("dead"),
    Type.Literal("superseded"),
  ],
  {
    description:
      "queued: waiting to be sent (or retried); sent: accepted by the SMTP server; stored: kept in the embedded " +
      "mailbox (no SMTP configured); dead: failed every attempt; superseded: a provisional mail replaced by a later one",
  },
);
const Template = Type.Union(
  TEMPLATE_NAMES.map((name) => Type.Literal(name)),
  { description: "a template name" },
);

const SummaryFields = {
  id: Id,
  eventId: Type.String({ format: "uuid", description: "the event it was written for" }),
  eventType: Type.String(),
  template: Type.String({ description: "the template it was written from" }),
  to: Type.String({ description: "the recipient's address" }),
  userId: Nullable(Id),
  language: Type.Union([Type.Literal("fr"), Type.Literal("en")]),
  subject: Type.String(),
  status: Status,
  attempts: Type.Integer({ description: "SMTP attempts made" }),
  lastError: Nullable(Type.String({ description: "why the last attempt failed" })),
  nextAttemptAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
  deliveredAt: Nullable(DateTime),
};
const MessageSummary = Type.Object(SummaryFields);
const Message = Type.Object({
  ...SummaryFields,
  text: Type.String({ description: "the plain-text part" }),
  html: Type.String({ description: "the HTML part" }),
});
const Params = Type.Object({ id: Id });
const tags = ["messages"];

export interface MessagesRouteDeps {
  db: Db;
  /** A message was requeued: the sender may take it now. */
  wake(): void;
}

/**
 * The mailbox (SPEC §3.12): every message written, whatever became of it — the embedded mailbox
 * when no SMTP server is configured, the delivery log otherwise. Admins only.
 */
export function messagesRoutes(app: App, deps: MessagesRouteDeps): void {
  app.get(
    "/api/notifications/messages",
    {
      onRequest: requirePermission("notifications:read"),
      schema: {
        ...bearerAuth,
        tags,
        summary: "Messages, newest first (notifications:read)",
        description: "Without their bodies; `GET /api/notifications/messages/:id` has them.",
        querystring: Type.Object({
          to: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: "recipient (case-insensitive)" })),
          template: Type.Optional(Template),
          status: Type.Optional(Status),
          ...pageQuery(),
        }),
        response: {
          200: Page(MessageSummary),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { page, limit, ...filter } = request.query;
      const { data, total } = await repo.listMessages(deps.db, { ...filter, limit, offset: (page - 1) * limit });
      return { data, pagination: { page, limit, total } };
    },
  );

  app.get(
    "/api/notifications/messages/:id",
    {
      onRequest: requirePermission("notifications:read"),
      schema: {
        ...bearerAuth,
        tags,
        summary: "A message with its plain-text and HTML parts (notifications:read)",
        params: Params,
        response: { 200: Message, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const message = await repo.findMessage(deps.db, request.params.id);
      if (!message) throw notFound(request.params.id);
      return message;
    },
  );

  app.post(
    "/api/notifications/messages/:id/retry",
    {
      onRequest: requirePermission("events:admin"),
      schema: {
        ...bearerAuth,
        tags,
        summary: "Send a dead message again (events:admin)",
        description:
          "Puts a dead message back in the queue, due now, with a fresh set of attempts (NOTIFICATIONS_MAX_ATTEMPTS). " +
          "409 message_not_dead when it is not dead.",
        params: Params,
        response: { 200: Message, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const requeued = await repo.requeueDead(deps.db, id);
      if (!requeued) {
        const message = await repo.findMessage(deps.db, id);
        if (!message) throw notFound(id);
        throw new ConflictError(
          "message_not_dead",
          `Message ${id} is ${message.status}: only a dead message is retried.`,
        );
      }
      deps.wake();
      return requeued;
    },
  );
}

const notFound = (id: string) => new NotFoundError("message_not_found", `No message with id ${id}.`);
