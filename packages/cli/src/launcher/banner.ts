import { style } from "./console";

export interface BannerFacts {
  port: number;
  dataDir: string;
  logsDir: string;
  /** `embedded, port 5433` or the external server's URL with the password hidden. */
  postgres: string;
  /** Where events go: `PostgreSQL event log comptoir_events` or `NATS JetStream nats://…`. */
  events: string;
  secondsToReady: number;
}

/** What to open once everything is ready. */
export function bannerLines(facts: BannerFacts): string[] {
  const base = `http://localhost:${facts.port}`;
  const row = (label: string, value: string) => `  ${style.dim(label.padEnd(11))} ${value}`;
  return [
    "",
    `  ${style.bold(style.green(`Comptoir is ready`))} ${style.dim(`in ${facts.secondsToReady.toFixed(1)} s`)}`,
    "",
    row("Gateway", style.bold(base)),
    row("API docs", `${base}/docs`),
    row("Health", `${base}/health/ready`),
    row("Data", facts.dataDir),
    row("PostgreSQL", facts.postgres),
    row("Events", facts.events),
    row("Logs", facts.logsDir),
    "",
    `  ${style.dim("Ctrl-C to stop")}`,
    "",
  ];
}
