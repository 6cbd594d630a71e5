import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { partitionOf, type RawEnvelope } from "@comptoir/contracts";
import type { AppendedEvent, EventTransport } from "@comptoir/events";
import { afterEach, describe, expect, it } from "vitest";
import { reportingCommand } from "../src/commands/reporting.command";
import { parseSeedHistoryArguments } from "../src/commands/reporting-seed-history";
import { UsageError } from "../src/errors";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A gateway stand-in that lists two active products (one at 5.5 %) and a draft. */
async function catalogGateway(): Promise<string> {
  const product = (n: number, vatRate: number, status = "active") => ({
    id: `0192f5a0-0000-7000-8000-0000000a000${n}`,
    name: `Produit ${n}`,
    status,
    vatRate,
    variants: [
      { id: `0192f5a0-0000-7000-8000-0000000b000${n}`, sku: `SKU-${n}`, price: 1000 * n, options: { taille: "M" } },
    ],
  });
  server = createServer((req, res) => {
    if (!req.url?.startsWith("/api/catalog/products")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        data: [product(1, 2000), product(2, 550), product(3, 2000, "draft")],
        pagination: { page: 1, limit: 100, total: 3 },
      }),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function fakeTransport() {
  const appended: { stream: string; events: AppendedEvent[] }[] = [];
  const transport = {
    kind: "postgres",
    description: "a test log",
    append: async (stream: string, events: readonly AppendedEvent[]) => {
      appended.push({ stream, events: [...events] });
    },
    close: async () => {},
  } as unknown as EventTransport;
  return { transport, appended };
}

function context(env: Record<string, string>, transport: EventTransport) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    context: {
      env,
      cwd: "/nonexistent",
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      terminal: { tty: false, write: () => {} },
      transport,
      now: new Date("2026-06-15T10:00:00Z"),
    },
  };
}

describe("comptoir reporting seed-history", () => {
  it("appends the history to the transport, stream by stream, with each event's partition, selling the platform's catalog", async () => {
    const url = await catalogGateway();
    const { transport, appended } = fakeTransport();
    const c = context({ COMPTOIR_URL: url }, transport);
    const code = await reportingCommand(
      ["seed-history", "--years", "0.25", "--lines", "3000", "--seed", "9"],
      c.context,
    );
    expect(code).toBe(0);
    const events = appended.flatMap((a) => a.events);
    for (const a of appended) {
      expect(a.events.length).toBeLessThanOrEqual(1000);
      for (const e of a.events) {
        expect(e.envelope.type.startsWith(`${a.stream}.`)).toBe(true);
        expect(e.partition).toBe(partitionOf(e.envelope.subject));
        expect(e.envelope.source).toBe("comptoir-seed-history");
      }
    }
    // Each stream in the order things happened.
    for (const stream of ["retail", "orders"]) {
      const times = appended
        .filter((a) => a.stream === stream)
        .flatMap((a) => a.events.map((e) => e.envelope.occurredAt));
      expect(times.length).toBeGreaterThan(0);
      expect([...times].sort()).toEqual(times);
    }
    const sold = events.flatMap((e) =>
      e.envelope.type === "retail.sale.completed" || e.envelope.type === "orders.order.paid"
        ? (e.envelope as RawEnvelope & { data: { lines: { variantId: string }[] } }).data.lines
        : [],
    );
    expect(sold).toHaveLength(3000);
    expect(new Set(sold.map((l) => l.variantId))).toEqual(
      new Set(["0192f5a0-0000-7000-8000-0000000b0001", "0192f5a0-0000-7000-8000-0000000b0002"]),
    );
    expect(c.err[0]).toMatch(/^catalog: 2 active variants of the platform's catalog/);
    expect(c.err.some((l) => l.includes("100%"))).toBe(true);
    expect(c.out[0]).toMatch(
      new RegExp(`^appended ${events.length.toLocaleString("en")} events \\(3,000 sale lines, 91 days\\)`),
    );
    expect(c.out.join("\n")).toContain("these events are synthetic");
  });

  it("sells generated products when the catalog cannot be read, and says so", async () => {
    const { transport, appended } = fakeTransport();
    const c = context({ COMPTOIR_URL: "http://127.0.0.1:9" }, transport);
    expect(await reportingCommand(["seed-history", "--years", "0.1", "--lines", "200"], c.context)).toBe(0);
    expect(appended.length).toBeGreaterThan(0);
    expect(c.err[0]).toMatch(/could not be read through the gateway; \d+ generated variants/);
  });

  it("refuses bad options with a usage error", () => {
    expect(parseSeedHistoryArguments([])).toMatchObject({ years: 2, lines: 2_000_000, seed: 1 });
    expect(parseSeedHistoryArguments(["--lines", "2_000_000"]).lines).toBe(2_000_000);
    expect(() => parseSeedHistoryArguments(["--lines", "many"])).toThrow(UsageError);
    expect(() => parseSeedHistoryArguments(["--years", "0"])).toThrow(UsageError);
    expect(() => parseSeedHistoryArguments(["--end-day", "tomorrow"])).toThrow(UsageError);
    expect(() => parseSeedHistoryArguments(["--what"])).toThrow(UsageError);
  });
});
