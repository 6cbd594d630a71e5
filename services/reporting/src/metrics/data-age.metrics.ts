import { Gauge, type Registry } from "prom-client";

/** Reporting's read models, each with its own data age. */
export const READ_MODELS = ["sales", "stock", "conversion"] as const;
export type ReadModel = (typeof READ_MODELS)[number];

/**
 * `comptoir_reporting_data_age_seconds{model}`: how old each read model's data may be, the figure its
 * reports' `Reporting-Data-Age` header carries (0: no event waits for the group; else the seconds since
 * the newest event applied happened; -1: events wait and none was applied yet), computed when
 * Prometheus scrapes. A model whose age cannot be read (database or bus unavailable) is left out of
 * that scrape rather than reported with a made-up age.
 */
export function registerDataAgeMetrics(
  registry: Registry,
  ageOf: Record<ReadModel, (now: number) => Promise<number>>,
): void {
  new Gauge({
    name: "comptoir_reporting_data_age_seconds",
    help: "How old a reporting read model's data may be (its Reporting-Data-Age): 0 up to date, -1 events wait and none was applied.",
    labelNames: ["model"] as const,
    registers: [registry],
    async collect() {
      const now = Date.now();
      const ages = await Promise.allSettled(READ_MODELS.map((model) => ageOf[model](now)));
      this.reset();
      ages.forEach((age, i) => {
        if (age.status === "fulfilled") this.set({ model: READ_MODELS[i]! }, age.value);
      });
    },
  });
}
