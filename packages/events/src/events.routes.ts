import { Type } from "typebox";
import { type App, bearerAuth, pageQuery, problemResponses, requirePermission } from "@comptoir/platform";
import type { EventBus } from "./bus";

const DeadLetter = Type.Object({
  id: Type.String(),
  group: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  stream: Type.String(),
  partition: Type.Integer(),
  sequence: Type.Number(),
  envelope: Type.Unknown(),
  error: Type.String(),
  attempts: Type.Integer(),
  failedAt: Type.String({ format: "date-time" }),
  replayedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});
const ReplayResult = Type.Object({ id: Type.String(), outcome: Type.String(), error: Type.Optional(Type.String()) });
/** A consumer group's name (usually the service's). */
const GroupName = (description: string, minLength = 0) => Type.String({ minLength, maxLength: 200, description });

/**
 * Operations on a service's side of the event backbone, under `/api/<service>/admin/events`:
 * status, dead letters (list, replay one or all) and rewinding a consumer group to rebuild its
 * read model. `comptoir events ...` calls these through the gateway. They need the permission
 * `events:admin` (admins), checked here and again by the gateway.
 */
export function eventsAdminRoutes(app: App, service: string, bus: EventBus): void {
  for (const metric of bus.metrics.all) app.comptoir.metrics.registry.registerMetric(metric);
  const base = `/api/${service}/admin/events`;
  const tags = ["events (admin)"];
  const guard = requirePermission("events:admin");

  app.get(
    `${base}/status`,
    {
      onRequest: guard,
      schema: { tags, ...bearerAuth, summary: "Outbox backlog, consumer groups with their lag, dead letters" },
    },
    async () => bus.status(),
  );

  app.get(
    `${base}/dead-letters`,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Events that failed every attempt, oldest first",
        querystring: Type.Object({
          group: Type.Optional(GroupName("only this consumer group's")),
          includeReplayed: Type.Optional(Type.Boolean({ default: false, description: "also those replayed already" })),
          ...pageQuery({ max: 500, default: 50 }),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(DeadLetter),
            pagination: Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() }),
          }),
        },
      },
    },
    async (request) => {
      const { group, includeReplayed, page, limit } = request.query;
      const { data, total } = await bus.listDeadLetters({ group, includeReplayed, limit, offset: (page - 1) * limit });
      return { data, pagination: { page, limit, total } };
    },
  );

  app.post(
    `${base}/dead-letters/:id/replay`,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Hand one dead letter to its handler again (once in effect)",
        params: Type.Object({
          id: Type.String({ format: "uuid", maxLength: 36, description: "the dead letter's id" }),
        }),
        response: { 200: ReplayResult, ...problemResponses(404, 409) },
      },
    },
    async (request) => bus.replayDeadLetter(request.params.id),
  );

  app.post(
    `${base}/dead-letters/replay`,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Replay every pending dead letter (of one group, or all)",
        body: Type.Object(
          { group: Type.Optional(GroupName("only this consumer group's; all when left out")) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(ReplayResult) }) },
      },
    },
    async (request) => ({ data: await bus.replayDeadLetters(request.body.group) }),
  );

  app.post(
    `${base}/replay`,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Rewind a consumer group to the first event and rebuild its read model",
        body: Type.Object(
          { group: GroupName("the consumer group to rewind", 1), fromStart: Type.Literal(true) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ group: Type.String(), streams: Type.Array(Type.String()) }),
          ...problemResponses(404),
        },
      },
    },
    async (request) => bus.replayGroup(request.body.group),
  );
}
