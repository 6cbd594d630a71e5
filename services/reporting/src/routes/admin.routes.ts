import { reportingAdminHttp } from "@comptoir/contracts/http";
import type { ReadModelRebuilder, StreamFreshness } from "@comptoir/events";
import { type App, bearerAuth, problemResponses, requirePermission } from "@comptoir/platform";
import { Gauge } from "prom-client";

/**
 * The read model's operations (permission `events:admin`): rebuild it from the first event without a
 * moment of empty or wrong reports (`comptoir reporting rebuild`), and how far behind each stream it is
 * (`comptoir reporting status`, and the gauges `reporting_read_model_lag_seconds|events{stream}`).
 */
export function adminRoutes(
  app: App,
  deps: { rebuilder: ReadModelRebuilder; freshness: () => Promise<StreamFreshness[]> },
): void {
  const guard = requirePermission("events:admin");
  const tags = ["reporting (admin)"];

  for (const [name, help, value] of [
    [
      "reporting_read_model_lag_seconds",
      "How far behind a stream the reporting read model is: 0 when no event waits, else the time since its last change from that stream.",
      (f: StreamFreshness) => f.secondsBehind,
    ],
    [
      "reporting_read_model_lag_events",
      "Events of a stream the reporting read model has not applied yet.",
      (f: StreamFreshness) => f.eventsBehind,
    ],
  ] as const) {
    const gauge = new Gauge({
      name,
      help,
      labelNames: ["stream"] as const,
      registers: [],
      async collect() {
        for (const f of await deps.freshness()) this.set({ stream: f.stream }, value(f));
      },
    });
    app.comptoir.metrics.registry.registerMetric(gauge);
  }

  app.post(
    reportingAdminHttp.rebuild.path,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Rebuild the reporting read model from the first event, then swap it in (runs in the background)",
        response: { ...reportingAdminHttp.rebuild.responses, ...problemResponses(409) },
      },
    },
    async (_request, reply) => {
      const { state } = await deps.rebuilder.start();
      return reply.code(202).send(state);
    },
  );

  app.get(
    reportingAdminHttp.rebuildState.path,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "The last rebuild's progress",
        response: reportingAdminHttp.rebuildState.responses,
      },
    },
    async () => deps.rebuilder.progress,
  );

  app.get(
    reportingAdminHttp.freshness.path,
    {
      onRequest: guard,
      schema: {
        tags,
        ...bearerAuth,
        summary: "Per stream reporting reads: events not applied yet and how far behind in time",
        response: reportingAdminHttp.freshness.responses,
      },
    },
    async () => ({ data: await deps.freshness() }),
  );
}
