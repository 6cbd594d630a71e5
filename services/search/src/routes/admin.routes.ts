import { searchHttp } from "@comptoir/contracts/http";
import type { EventBus } from "@comptoir/events";
import { type App, bearerAuth, type Db, type Logger, problemResponses, requirePermission } from "@comptoir/platform";
import { Gauge } from "prom-client";
import { freshness, searchRebuilder } from "../domain/rebuild.use-cases";

/**
 * The read model's operations (permission `events:admin`): rebuild it from the first event without a
 * moment of empty results (`comptoir search rebuild`), and how far behind the streams it is
 * (`comptoir search status`, and the gauge `search_read_model_lag_seconds{stream}`).
 */
export function adminRoutes(app: App, deps: { db: Db; bus: EventBus; logger: Logger }): void {
  const rebuilder = searchRebuilder(deps);
  const guard = requirePermission("events:admin");
  const tags = ["search (admin)"];

  const lagSeconds = new Gauge({
    name: "search_read_model_lag_seconds",
    help: "How far behind a stream the products read model is: 0 when no event waits, else the time since its last change from that stream.",
    labelNames: ["stream"] as const,
    registers: [],
    async collect() {
      for (const f of await freshness(deps)) this.set({ stream: f.stream }, f.secondsBehind);
    },
  });
  const lagEvents = new Gauge({
    name: "search_read_model_lag_events",
    help: "Events of a stream the products read model has not applied yet.",
    labelNames: ["stream"] as const,
    registers: [],
    async collect() {
      for (const f of await freshness(deps)) this.set({ stream: f.stream }, f.eventsBehind);
    },
  });
  app.comptoir.metrics.registry.registerMetric(lagSeconds);
  app.comptoir.metrics.registry.registerMetric(lagEvents);

  app.post(
    searchHttp.rebuild.path,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Rebuild the products read model from the first event, then swap it in (runs in the background)",
        response: { ...searchHttp.rebuild.responses, ...problemResponses(409) },
      },
    },
    async (_request, reply) => {
      const { state } = await rebuilder.start();
      return reply.code(202).send(state);
    },
  );

  app.get(
    searchHttp.rebuildState.path,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "The last rebuild's progress",
        response: searchHttp.rebuildState.responses,
      },
    },
    async () => rebuilder.progress,
  );

  app.get(
    searchHttp.freshness.path,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Per stream: events not applied yet and how far behind in time",
        response: searchHttp.freshness.responses,
      },
    },
    async () => ({ data: await freshness(deps) }),
  );
}
