import { parseArgs } from "node:util";
import type { ordersHttp, reportingHttp, retailHttp } from "@comptoir/contracts/http";
import { UsageError, UserError } from "../errors";
import { AdminClient } from "../events/admin-client";
import { adminToken } from "../events/admin-token";
import { describeProblem, table } from "../events/format";
import { locateGateway } from "../events/platform-location";
import type { EventsContext } from "./events.command";

/** `reconcile`'s lines of `comptoir reporting --help` (the command's, then its options'). */
export const RECONCILE_COMMAND_USAGE = `  reconcile --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--json]
                    recompute the sales totals per day from orders' and retail's own tables and
                    list every difference with reporting's figures (day, channel, figure,
                    reporting, source, difference); exit code 1 when there is one. Run it once
                    reporting is caught up (status): events not applied yet show as differences`;
export const RECONCILE_OPTIONS_USAGE = `  --from, --to      reconcile: the first and last local day (included; each store's own time
                    zone, the online time zone for online sales)
  --online-timezone <zone>
                    reconcile: the online channel's time zone (default REPORTING_ONLINE_TIMEZONE,
                    else Europe/Paris: reporting's own default)`;

const DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const DEFAULT_ONLINE_TIMEZONE = "Europe/Paris";
/** Beyond this many days, a store's cash variance is compared over the whole period, not per day. */
export const MAX_CASH_VARIANCE_DAYS = 92;

/** The figures compared: reporting's names (its sales report, and a store's indicators for the cash variance). */
export type Figure = "revenue" | "transactions" | "discounts" | "returns" | "refunds" | "cashVariance";
const AMOUNTS: ReadonlySet<Figure> = new Set(["revenue", "discounts", "returns", "refunds", "cashVariance"]);
const ONLINE_FIGURES: readonly Figure[] = ["revenue", "transactions", "refunds"];
const STORE_FIGURES: readonly Figure[] = ["revenue", "transactions", "discounts", "returns"];

/** One figure of one channel's day that reporting and its source do not agree on. */
export interface Difference {
  /** A day, or `<from>..<to>` for a cash variance compared over a long period. */
  day: string;
  /** `online`, or the store's id. */
  channel: string;
  /** The store's code (null online, or for a store retail no longer lists). */
  store: string | null;
  figure: Figure;
  reporting: number;
  source: number;
  /** reporting − source. */
  difference: number;
}

/** A channel's figures per day. */
export type DayFigures = Map<string, Partial<Record<Figure, number>>>;

/** Every (day, figure) on which the two sides differ; a day one side lacks counts as zeros there. */
export function differencesOf(
  channel: { id: string; store: string | null },
  figures: readonly Figure[],
  reporting: DayFigures,
  source: DayFigures,
): Difference[] {
  const days = [...new Set([...reporting.keys(), ...source.keys()])].sort();
  const found: Difference[] = [];
  for (const day of days) {
    for (const figure of figures) {
      const r = reporting.get(day)?.[figure] ?? 0;
      const s = source.get(day)?.[figure] ?? 0;
      if (r !== s)
        found.push({
          day,
          channel: channel.id,
          store: channel.store,
          figure,
          reporting: r,
          source: s,
          difference: r - s,
        });
    }
  }
  return found;
}

/** Cents as euros, `1234` → `12.34`; a count as is. `signed` writes a `+` before a positive value. */
export function formatFigure(figure: Figure, value: number, signed = false): string {
  const sign = value < 0 ? "-" : signed && value > 0 ? "+" : "";
  const abs = Math.abs(value);
  const text = AMOUNTS.has(figure) ? `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}` : String(abs);
  return `${sign}${text}`;
}

/** The table of differences and the summary line. */
export function formatDifferences(
  differences: readonly Difference[],
  scope: { from: string; to: string; stores: number },
): string[] {
  const checked = `online and ${scope.stores} store${scope.stores === 1 ? "" : "s"}`;
  if (differences.length === 0)
    return [`reporting matches orders and retail from ${scope.from} to ${scope.to} (${checked})`];
  const rows = differences.map((d) => [
    d.day,
    d.channel === "online" ? "online" : `store ${d.store ?? d.channel}`,
    d.figure,
    formatFigure(d.figure, d.reporting),
    formatFigure(d.figure, d.source),
    formatFigure(d.figure, d.difference, true),
  ]);
  const channels = new Set(differences.map((d) => d.channel)).size;
  const days = new Set(differences.map((d) => d.day)).size;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return [
    ...table(["DAY", "CHANNEL", "FIGURE", "REPORTING", "SOURCE", "DIFFERENCE"], rows),
    `${plural(differences.length, "difference")} between reporting and orders/retail from ${scope.from} to ` +
      `${scope.to}, in ${plural(channels, "channel")} and ${plural(days, "day")} (${checked} checked; amounts in ` +
      "euros, difference = reporting − source)",
  ];
}

/** Each day of the period, from and to included. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += 86_400_000)
    days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function getJson<T>(client: AdminClient, path: string, what: string): Promise<T> {
  const answer = await client.get(path);
  if (answer.status !== 200)
    throw new UserError(`reporting reconcile: ${what}: ${describeProblem(answer.status, answer.body)}`);
  return answer.body as T;
}

/** Reporting's sales report rows as day figures. */
const reportedDays = (report: reportingHttp.SalesReport): DayFigures =>
  new Map(report.data.map((r) => [r.key, { ...r, transactions: r.transactions ?? 0 }]));

/** A store's cash variance over a period in reporting (0 for a store no event named yet: 404). */
async function reportedCashVariance(client: AdminClient, storeId: string, from: string, to: string): Promise<number> {
  const path = `/api/reporting/stores/${encodeURIComponent(storeId)}/indicators?${q({ from, to, format: "json" })}`;
  const answer = await client.get(path);
  if (answer.status === 404) return 0;
  if (answer.status !== 200)
    throw new UserError(`reporting reconcile: reporting's indicators: ${describeProblem(answer.status, answer.body)}`);
  return (answer.body as reportingHttp.StoreIndicators).cashVariance;
}

/**
 * A store's cash variance: compared over the period first (one call); when it differs, per day (at most
 * MAX_CASH_VARIANCE_DAYS calls), else as one difference over the period.
 */
async function cashVarianceDifferences(
  client: AdminClient,
  store: { id: string; code: string | null },
  period: { from: string; to: string },
  source: DayFigures,
): Promise<Difference[]> {
  const sourceTotal = [...source.values()].reduce((sum, d) => sum + (d.cashVariance ?? 0), 0);
  const reportedTotal = await reportedCashVariance(client, store.id, period.from, period.to);
  if (reportedTotal === sourceTotal) return [];
  const days = daysOf(period.from, period.to);
  const channel = { id: store.id, store: store.code };
  if (days.length > MAX_CASH_VARIANCE_DAYS) {
    const whole: DayFigures = new Map([[`${period.from}..${period.to}`, { cashVariance: reportedTotal }]]);
    const sourced: DayFigures = new Map([[`${period.from}..${period.to}`, { cashVariance: sourceTotal }]]);
    return differencesOf(channel, ["cashVariance"], whole, sourced);
  }
  const reported: DayFigures = new Map();
  for (const day of days) reported.set(day, { cashVariance: await reportedCashVariance(client, store.id, day, day) });
  return differencesOf(channel, ["cashVariance"], reported, source);
}

export interface Reconciliation {
  from: string;
  to: string;
  onlineTimeZone: string;
  /** The stores checked: those retail booked something for, and those reporting has figures of. */
  stores: { id: string; code: string | null }[];
  differences: Difference[];
}

/** Compares reporting's figures with orders' and retail's, per channel, day and figure. */
export async function reconcileFigures(
  client: AdminClient,
  period: { from: string; to: string; onlineTimeZone: string },
): Promise<Reconciliation> {
  const { from, to, onlineTimeZone } = period;
  const orders = await getJson<ordersHttp.SalesTotals>(
    client,
    `/api/orders/admin/sales-totals?${q({ from, to, timeZone: onlineTimeZone })}`,
    "orders' sales totals",
  );
  const retail = await getJson<retailHttp.SalesTotals>(
    client,
    `/api/retail/admin/sales-totals?${q({ from, to })}`,
    "retail's sales totals",
  );
  const reportingSales = (filter: Record<string, string>) =>
    getJson<reportingHttp.SalesReport>(
      client,
      `/api/reporting/sales?${q({ from, to, format: "json", ...filter })}`,
      "reporting's sales",
    );

  const differences: Difference[] = [];
  const online = await reportingSales({ groupBy: "day", channel: "online" });
  const ordersDays: DayFigures = new Map(
    orders.data.map((d) => [d.day, { revenue: d.paidTotal, transactions: d.paidCount, refunds: d.refundsTotal }]),
  );
  differences.push(...differencesOf({ id: "online", store: null }, ONLINE_FIGURES, reportedDays(online), ordersDays));

  const retailByStore = new Map<string, { code: string; days: DayFigures }>();
  for (const row of retail.data) {
    const store = retailByStore.get(row.storeId) ?? { code: row.storeCode, days: new Map() };
    store.days.set(row.day, {
      revenue: row.salesTotal,
      transactions: row.salesCount,
      discounts: row.discountTotal,
      returns: row.returnsTotal,
      cashVariance: row.cashVariance,
    });
    retailByStore.set(row.storeId, store);
  }
  const reportedStores = await reportingSales({ groupBy: "store", channel: "store" });
  const storeIds = [...new Set([...retailByStore.keys(), ...reportedStores.data.map((r) => r.key)])];
  const stores = storeIds
    .map((id) => ({ id, code: retailByStore.get(id)?.code ?? null }))
    .sort((a, b) => (a.code ?? "\uffff").localeCompare(b.code ?? "\uffff") || a.id.localeCompare(b.id));
  for (const store of stores) {
    const source = retailByStore.get(store.id)?.days ?? new Map();
    const reported = await reportingSales({ groupBy: "day", storeId: store.id });
    differences.push(
      ...differencesOf({ id: store.id, store: store.code }, STORE_FIGURES, reportedDays(reported), source),
    );
    differences.push(...(await cashVarianceDifferences(client, store, { from, to }, source)));
  }
  differences.sort(
    (a, b) =>
      a.day.localeCompare(b.day) ||
      Number(b.channel === "online") - Number(a.channel === "online") ||
      (a.store ?? a.channel).localeCompare(b.store ?? b.channel),
  );
  return { from, to, onlineTimeZone, stores, differences };
}

/**
 * `comptoir reporting reconcile --from --to [--online-timezone] [--json] [--url]`: resolves with the
 * exit code, 1 when reporting differs from orders or retail, 0 when it does not.
 */
export async function reconcile(args: string[], context: EventsContext): Promise<number> {
  let values: {
    url?: string | undefined;
    json?: boolean | undefined;
    from?: string | undefined;
    to?: string | undefined;
    "online-timezone"?: string | undefined;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: "string" },
        json: { type: "boolean" },
        from: { type: "string" },
        to: { type: "string" },
        "online-timezone": { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`reporting reconcile: ${(error as Error).message}`);
  }
  const { from, to } = values;
  if (!from || !to || !DAY.test(from) || !DAY.test(to))
    throw new UsageError("reporting reconcile: --from and --to take a day each, YYYY-MM-DD");
  if (from > to) throw new UsageError(`reporting reconcile: --from ${from} is after --to ${to}`);
  const onlineTimeZone = values["online-timezone"] ?? context.env.REPORTING_ONLINE_TIMEZONE ?? DEFAULT_ONLINE_TIMEZONE;
  const baseUrl = locateGateway(values.url, context.env, context.cwd);
  const token = await adminToken(context.env, context.cwd, baseUrl, context.request);
  const client = new AdminClient({ baseUrl, token, request: context.request });
  const result = await reconcileFigures(client, { from, to, onlineTimeZone });
  if (values.json) context.out(JSON.stringify(result));
  else
    for (const line of formatDifferences(result.differences, { from, to, stores: result.stores.length }))
      context.out(line);
  return result.differences.length > 0 ? 1 : 0;
}
