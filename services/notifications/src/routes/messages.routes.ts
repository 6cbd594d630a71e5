import {
  type App,
  bearerAuth,
  requirePermission,
  Type,
  Id,
  problemResponses,
  pageQuery,
  Page,
} from "@comptoir/platform";
import * as messages from "../domain/messages.use-cases";
import { Message, MessageStatus, MessageSummary } from "../model/message";
import { TEMPLATE_NAMES } from "../templates";

const Template = Type.Union(
  TEMPLATE_NAMES.map((name) => Type.Literal(name)),
  { description: "a template name" },
);

const Params = Type.Object({ id: Id });
const tags = ["messages"];

/**
 * The mailbox (SPEC §3.12): every message written, whatever became of it — the embedded mailbox
 * when no SMTP server is configured, the delivery log otherwise. Admins only.
 */
export function messagesRoutes(app: App, deps: messages.MessagesDeps): void {
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
          status: Type.Optional(MessageStatus),
          ...pageQuery(),
        }),
        response: {
          200: Page(MessageSummary),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => messages.listMessages(deps, request.query),
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
    async (request) => messages.getMessage(deps, request.params.id),
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
    async (request) => messages.retryMessage(deps, request.params.id),
  );
}
