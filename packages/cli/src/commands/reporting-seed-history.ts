import { parseArgs } from "node:util";
import { partitionOf, type RawEnvelope, streamOf, VAT_RATES, type VatRateValue } from "@comptoir/contracts";
import type { EventTransport } from "@comptoir/events";
import { UsageError, UserError } from "../errors";
import { locateGateway, locateTransport } from "../events/platform-location";
import { transportLabel } from "../events/format";
import {
  generateHistory,
  generatedCatalog,
  type HistoryVariant,
  historyDays,
  SEED_HISTORY_SOURCE,
} from "../reporting/history";
import { openTransport } from "./events.command";
import type { ProgressTerminal, ReadModelContext } from "./read-model";

/*
 * `comptoir reporting seed-history`: years of synthetic sales appended to the running platform's event
 * transport (the PostgreSQL event log, or NATS JetStream), as retail and orders would have published
 * them, so that reporting builds its rollups with its real handlers. The generator is
 * ../reporting/history.ts (pure, seeded).
 */

export const SEED_HISTORY_USAGE_LINES = `  seed-history [--years 2] [--lines 2000000] [--seed 1] [--generated-catalog]
                    append synthetic sales history for demos to the platform's event
                    transport (EVENT_LOG_URL / NATS_URL, else the running platform's): till
                    sales of the 3 demo stores (returns, voids, register closings) and paid
                    online orders (some refunded), weekly and seasonal patterns, VAT, the
                    demo catalog's products (read through the gateway; else generated ones).
                    The events say source "${SEED_HISTORY_SOURCE}": retail's and orders' own
                    databases do not have them (a reconciliation shows these days as
                    differences); the same seed on the same day adds nothing twice`;

const TIME_ZONE = "Europe/Paris";
/** Events per append (one statement on the event log). */
const CHUNK = 1000;

export interface SeedHistoryArguments {
  years: number;
  lines: number;
  seed: number;
  generatedCatalog: boolean;
  url?: string | undefined;
  /** The first day after the history (default: today in Europe/Paris). */
  endDay?: string | undefined;
}

export function parseSeedHistoryArguments(args: string[]): SeedHistoryArguments {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        years: { type: "string" },
        lines: { type: "string" },
        seed: { type: "string" },
        "generated-catalog": { type: "boolean" },
        url: { type: "string" },
        "end-day": { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`reporting seed-history: ${(error as Error).message}`);
  }
  const number = (name: string, fallback: number, ok: (n: number) => boolean, what: string) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(String(raw).replaceAll("_", ""));
    if (!Number.isFinite(n) || !ok(n))
      throw new UsageError(`reporting seed-history: --${name} takes ${what}, got "${raw}"`);
    return n;
  };
  const endDay = values["end-day"] as string | undefined;
  if (endDay !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(endDay)) {
    throw new UsageError(`reporting seed-history: --end-day takes a date (YYYY-MM-DD), got "${endDay}"`);
  }
  return {
    years: number("years", 2, (n) => n > 0 && n <= 10, "a number of years (0 to 10, e.g. 2 or 0.5)"),
    lines: number(
      "lines",
      2_000_000,
      (n) => Number.isInteger(n) && n >= 1 && n <= 50_000_000,
      "a whole number of lines",
    ),
    seed: number("seed", 1, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, "a whole number (0 to 2^32 − 1)"),
    generatedCatalog: values["generated-catalog"] === true,
    url: values.url as string | undefined,
    endDay,
  };
}

export type SeedHistoryContext = ReadModelContext & {
  /** For tests: the transport to append to (otherwise the platform's). */
  transport?: EventTransport;
  /** For tests: today (otherwise the clock). */
  now?: Date;
};

/** The demo catalog's active variants, read anonymously through the gateway; undefined if it cannot be read. */
async function readCatalog(baseUrl: string): Promise<HistoryVariant[] | undefined> {
  type Product = {
    id: string;
    name: string;
    status: string;
    vatRate: number;
    variants: { id: string; sku: string; price: number; options: Record<string, string> }[];
  };
  const variants: HistoryVariant[] = [];
  try {
    for (let page = 1; page <= 100; page++) {
      const res = await fetch(`${baseUrl}/api/catalog/products?page=${page}&limit=100`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as { data: Product[]; pagination: { total: number } };
      for (const p of body.data) {
        if (p.status !== "active" || !(VAT_RATES as readonly number[]).includes(p.vatRate)) continue;
        for (const v of p.variants) {
          if (v.price <= 0) continue;
          const options = Object.values(v.options ?? {}).join(", ");
          variants.push({
            variantId: v.id,
            productId: p.id,
            sku: v.sku,
            name: options ? `${p.name} (${options})` : p.name,
            price: v.price,
            vatRate: p.vatRate as VatRateValue,
          });
        }
      }
      if (body.data.length < 100 || page * 100 >= body.pagination.total) break;
    }
  } catch {
    return undefined;
  }
  return variants.length > 0 ? variants : undefined;
}

/** Today in the stores' time zone (YYYY-MM-DD): the history ends the day before. */
function today(now: Date): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

function processTerminal(): ProgressTerminal {
  return { tty: Boolean(process.stderr.isTTY), write: (t) => process.stderr.write(t), columns: process.stderr.columns };
}

const BAR = 30;

/** `[██████░░░░]  60%  1,200,000/2,000,000 lines  2025-06-14  41,000 events/s` */
export function seedProgressLine(done: number, total: number, day: string, eventsPerSecond: number): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * BAR);
  return (
    `[${"█".repeat(filled)}${"░".repeat(BAR - filled)}] ${`${Math.floor(ratio * 100)}%`.padStart(4)}  ` +
    `${done.toLocaleString("en")}/${total.toLocaleString("en")} lines  ${day}  ${Math.round(eventsPerSecond).toLocaleString("en")} events/s`
  );
}

/** `comptoir reporting seed-history ...`: resolves with the exit code. */
export async function seedHistoryCommand(args: string[], context: SeedHistoryContext): Promise<number> {
  const options = parseSeedHistoryArguments(args);
  const endDay = options.endDay ?? today(context.now ?? new Date());
  const days = historyDays(endDay, options.years);
  let transport = context.transport;
  let where = transport ? transportLabel(transport) : "";
  if (!transport) {
    const location = locateTransport(context.env, context.cwd);
    transport = await openTransport(location, context, "comptoir-seed-history");
    where = `${transportLabel(transport)} (from ${location.from})`;
  }
  try {
    let catalog = options.generatedCatalog
      ? undefined
      : await readCatalog(locateGateway(options.url, context.env, context.cwd));
    if (catalog) {
      context.err(`catalog: ${catalog.length} active variants of the platform's catalog (read through the gateway)`);
    } else {
      catalog = generatedCatalog(options.seed);
      context.err(
        `catalog: ${options.generatedCatalog ? "" : "the platform's catalog could not be read through the gateway; "}` +
          `${catalog.length} generated variants (ids no catalog knows: reports name them from the sale lines)`,
      );
    }
    context.err(
      `appending ${options.lines.toLocaleString("en")} sale lines of synthetic history, ${days[0]} to ${days.at(-1)} ` +
        `(${days.length} days, ${TIME_ZONE}, seed ${options.seed}) to ${where}`,
    );
    const terminal = context.terminal ?? processTerminal();
    const started = performance.now();
    const counts = new Map<string, number>();
    const buffers = new Map<string, RawEnvelope[]>();
    let appended = 0;
    let lines = 0;
    let drawnPercent = -1;
    const flush = async (stream: string) => {
      const events = buffers.get(stream) ?? [];
      if (events.length === 0) return;
      buffers.set(stream, []);
      await transport.append(
        stream,
        events.map((envelope) => ({ envelope, partition: partitionOf(envelope.subject) })),
      );
      appended += events.length;
    };
    for (const day of generateHistory({
      endDay,
      years: options.years,
      lines: options.lines,
      seed: options.seed,
      catalog,
      timeZone: TIME_ZONE,
    })) {
      for (const event of day.events) {
        const stream = streamOf(event.type);
        const buffer = buffers.get(stream) ?? [];
        buffer.push(event);
        buffers.set(stream, buffer);
        counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
        if (buffer.length >= CHUNK) await flush(stream);
      }
      lines += day.lines;
      // Generated so far (the last chunk of each stream is appended at the end).
      const generated = [...counts.values()].reduce((a, b) => a + b, 0);
      const rate = generated / Math.max(0.001, (performance.now() - started) / 1000);
      const line = seedProgressLine(lines, options.lines, day.day, rate);
      if (terminal.tty) {
        const width = terminal.columns ?? 0;
        terminal.write(`\r${width > 1 ? line.slice(0, width - 1) : line}\x1b[K`);
      } else {
        const percent = Math.floor((lines / options.lines) * 10) * 10;
        if (percent !== drawnPercent) context.err(line);
        drawnPercent = percent;
      }
    }
    for (const stream of buffers.keys()) await flush(stream);
    if (terminal.tty) terminal.write("\n");
    const seconds = (performance.now() - started) / 1000;
    context.out(
      `appended ${appended.toLocaleString("en")} events (${lines.toLocaleString("en")} sale lines, ${days.length} days) ` +
        `in ${seconds.toFixed(1)} s:`,
    );
    for (const [type, n] of [...counts].sort()) context.out(`  ${type.padEnd(24)} ${n.toLocaleString("en")}`);
    context.out(
      `these events are synthetic (source "${SEED_HISTORY_SOURCE}"): retail's and orders' databases do not have ` +
        "them, so a reconciliation of reporting against them shows these days as differences.",
    );
    context.out("reporting applies them in the background: follow it with comptoir reporting status");
    return 0;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`reporting seed-history: ${(error as Error).message}`);
  } finally {
    if (!context.transport) await transport.close().catch(() => {});
  }
}
