import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { EventsContext } from "../src/commands/events.command";
import { inventoryCommand } from "../src/commands/inventory.command";
import { UserError } from "../src/errors";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A gateway stand-in answering GET /api/inventory/admin/verify with `status` and `body`. */
async function gateway(status: number, body: unknown): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

function context(url: string) {
  const out: string[] = [];
  const ctx: EventsContext = {
    env: { COMPTOIR_URL: url, COMPTOIR_TOKEN: "admin-token" },
    cwd: "/nonexistent",
    out: (line) => out.push(line),
    err: (line) => out.push(line),
  };
  return { ctx, out };
}

const drift = {
  variantId: "0192f5a0-0000-7000-8000-0000000000aa",
  locationId: "0192f5a0-0000-7000-8000-00000000c001",
  onHand: 12,
  ledgerOnHand: 10,
  reserved: 0,
  activeReserved: 0,
  problems: ["on_hand_differs_from_ledger"],
};

describe("comptoir inventory verify", () => {
  it("says there is no drift and exits 0, calling the admin endpoint with the token", async () => {
    const gw = await gateway(200, { checked: 42, drifted: [] });
    const { ctx, out } = context(gw.url);
    expect(await inventoryCommand(["verify"], ctx)).toBe(0);
    expect(out).toEqual(["42 stock levels checked against the ledger: no drift"]);
    expect(gw.seen).toEqual(["GET /api/inventory/admin/verify Bearer admin-token"]);
  });

  it("lists each drifted level and exits 1; --json prints the report", async () => {
    const gw = await gateway(200, { checked: 42, drifted: [drift] });
    const { ctx, out } = context(gw.url);
    expect(await inventoryCommand(["verify"], ctx)).toBe(1);
    expect(out[0]).toBe("42 stock levels checked: 1 differ from the ledger");
    expect(out[2]).toContain("on_hand_differs_from_ledger");
    expect(out[2]).toContain(drift.variantId);
    const json = context(gw.url);
    expect(await inventoryCommand(["verify", "--json"], json.ctx)).toBe(1);
    expect(JSON.parse(json.out[0]!)).toEqual({ checked: 42, drifted: [drift] });
  });

  it("explains a refusal, and rejects unknown commands and options", async () => {
    const gw = await gateway(403, { title: "Forbidden", status: 403, code: "forbidden", detail: "nope" });
    const { ctx } = context(gw.url);
    await expect(inventoryCommand(["verify"], ctx)).rejects.toThrow(/COMPTOIR_TOKEN/);
    await expect(inventoryCommand(["count"], ctx)).rejects.toBeInstanceOf(UserError);
    await expect(inventoryCommand(["verify", "--fast"], ctx)).rejects.toThrow(/inventory verify/);
  });
});
