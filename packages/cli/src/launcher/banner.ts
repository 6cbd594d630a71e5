import { style } from "./console";

export interface BannerFacts {
  port: number;
  /** Where the gateway listens, and whether HOST chose it. */
  listen: { host: string; explicit: boolean };
  dataDir: string;
  logsDir: string;
  /** `embedded, port 5433` or the external server's URL with the password hidden. */
  postgres: string;
  /** Where events go: `PostgreSQL event log comptoir_events` or `NATS JetStream nats://…`. */
  events: string;
  secondsToReady: number;
  /** Demo mode: the accounts, and the API keys when identity has just created them (shown once). */
  demo?: { keysFile: string; newKeys: DemoKey[] | undefined } | undefined;
}

export interface DemoKey {
  name: string;
  tier: string;
  key: string;
}

export const DEMO_ACCOUNTS = ["admin", "manager", "clerk", "customer"].map((role) => `${role}@demo.comptoir.dev`);
export const DEMO_PASSWORD = "comptoir-demo";

const LOOPBACK_HOSTS = ["127.0.0.1", "::1", "localhost"];
const ANY_HOSTS = ["0.0.0.0", "::"];

/** What to open once everything is ready. */
export function bannerLines(facts: BannerFacts): string[] {
  const { host } = facts.listen;
  const shownHost = LOOPBACK_HOSTS.includes(host) || ANY_HOSTS.includes(host) ? "localhost" : host;
  const base = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${facts.port}`;
  const row = (label: string, value: string) => `  ${style.dim(label.padEnd(11))} ${value}`;
  return [
    "",
    `  ${style.bold(style.green(`Comptoir is ready`))} ${style.dim(`in ${facts.secondsToReady.toFixed(1)} s`)}`,
    "",
    row("Gateway", style.bold(base)),
    row("Listening", listeningLine(facts)),
    row("API docs", `${base}/docs`),
    row("Health", `${base}/health/status`),
    row("Data", facts.dataDir),
    row("PostgreSQL", facts.postgres),
    row("Events", facts.events),
    row("Logs", facts.logsDir),
    ...demoLines(facts.demo, row),
    "",
    `  ${style.dim("Ctrl-C to stop")}`,
    "",
  ];
}

/**
 * Where the gateway listens and who can reach it. In demo mode it says why it is local only (the
 * demo password is public) and how to open it, or warns when HOST opened it anyway.
 */
function listeningLine(facts: BannerFacts): string {
  const { host, explicit } = facts.listen;
  const address = `${host.includes(":") ? `[${host}]` : host}:${facts.port}`;
  const local = LOOPBACK_HOSTS.includes(host);
  if (facts.demo && local) {
    return `${address}, this machine only: the demo password is public (HOST=0.0.0.0 opens it to the network)`;
  }
  if (facts.demo) return style.yellow(`${address} (HOST): reachable from the network, with the public demo password`);
  if (local) return `${address}, this machine only${explicit ? " (HOST)" : ""}`;
  return `${address}${ANY_HOSTS.includes(host) ? ", every network interface" : ""}${explicit ? " (HOST)" : ""}`;
}

function demoLines(demo: BannerFacts["demo"], row: (label: string, value: string) => string): string[] {
  if (!demo) return [];
  const lines = ["", row("Demo", `${DEMO_ACCOUNTS.join(", ")} — password ${style.bold(DEMO_PASSWORD)}`)];
  if (demo.newKeys?.length) {
    lines.push(row("API keys", style.dim(`shown once; also in ${demo.keysFile} (0600)`)));
    for (const key of demo.newKeys) lines.push(row("", `${key.tier.padEnd(9)} ${key.key}`));
  } else {
    lines.push(row("API keys", `demo keys in ${demo.keysFile}`));
  }
  return lines;
}
