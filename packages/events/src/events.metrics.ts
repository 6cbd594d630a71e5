import { Counter, Gauge, Histogram, type Metric } from "prom-client";

export interface MetricsSources {
  outboxBacklog: () => Promise<{ count: number; oldestAgeSeconds: number }>;
  consumerLag: () => Promise<{ group: string; stream: string; lag: number }[]>;
  deadLetters: () => Promise<{ group: string; count: number }[]>;
}

/**
 * The event backbone's metrics, collected into the service's `/metrics`. Gauges that need a query
 * (backlog, lag, dead letters) are computed when Prometheus scrapes, not on a timer.
 */
export class EventMetrics {
  private readonly handledTotal = new Counter({
    name: "events_handled_total",
    help: "Events delivered to a consumer group's handler, by outcome (handled, or duplicate: already in the inbox).",
    labelNames: ["group", "type", "outcome"] as const,
    registers: [],
  });
  private readonly handlerDuration = new Histogram({
    name: "events_handler_duration_seconds",
    help: "Time to handle one event, inbox write and commit included.",
    labelNames: ["group", "type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [],
  });
  private readonly failuresTotal = new Counter({
    name: "events_handler_failures_total",
    help: "Failed attempts to handle an event (each retry counts).",
    labelNames: ["group", "type"] as const,
    registers: [],
  });
  private readonly deadLetteredTotal = new Counter({
    name: "events_dead_lettered_total",
    help: "Events moved to the dead letters after their last attempt.",
    labelNames: ["group", "type"] as const,
    registers: [],
  });
  readonly all: Metric[];

  constructor(sources: MetricsSources) {
    const backlog = new Gauge({
      name: "events_outbox_backlog",
      help: "Outbox rows not yet sent to the transport.",
      registers: [],
      async collect() {
        const { count, oldestAgeSeconds } = await sources.outboxBacklog();
        this.set(count);
        relayLag.set(oldestAgeSeconds);
      },
    });
    const relayLag = new Gauge({
      name: "events_relay_lag_seconds",
      help: "Age of the oldest unsent outbox row (0 when none).",
      registers: [],
    });
    const consumerLag = new Gauge({
      name: "events_consumer_lag",
      help: "Events of a stream not yet handled by a consumer group.",
      labelNames: ["group", "stream"] as const,
      registers: [],
      async collect() {
        this.reset();
        for (const { group, stream, lag } of await sources.consumerLag()) this.set({ group, stream }, lag);
      },
    });
    const deadLetters = new Gauge({
      name: "events_dead_letters",
      help: "Dead letters not yet replayed, per consumer group.",
      labelNames: ["group"] as const,
      registers: [],
      async collect() {
        this.reset();
        for (const { group, count } of await sources.deadLetters()) this.set({ group }, count);
      },
    });
    this.all = [
      this.handledTotal,
      this.handlerDuration,
      this.failuresTotal,
      this.deadLetteredTotal,
      backlog,
      relayLag,
      consumerLag,
      deadLetters,
    ];
  }

  handled(group: string, type: string, outcome: string, seconds: number): void {
    this.handledTotal.inc({ group, type, outcome });
    if (outcome === "handled") this.handlerDuration.observe({ group, type }, seconds);
  }

  failed(group: string, type: string): void {
    this.failuresTotal.inc({ group, type });
  }

  deadLettered(group: string, type: string): void {
    this.deadLetteredTotal.inc({ group, type });
  }
}
