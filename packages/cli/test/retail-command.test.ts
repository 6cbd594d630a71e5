import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { EventsContext } from "../src/commands/events.command";
import { retailCommand } from "../src/commands/retail.command";
import { UsageError, UserError } from "../src/errors";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const STORE = "0192f5a0-0000-7000-8000-0000000000a1";
const OTHER = "0192f5a0-0000-7000-8000-0000000000b2";
const FINGERPRINT = "ab".repeat(32);

/** A gateway stand-in: retail's store list, and the journal verification answering `status` and `body`. */
async function gateway(status: number, body: unknown): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    res.writeHead(req.url!.startsWith("/api/retail/stores") ? 200 : status, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        req.url!.startsWith("/api/retail/stores")
          ? {
              data: [
                { id: STORE, code: "PARIS-01" },
                { id: OTHER, code: "LYON-01" },
              ],
              pagination: { page: 1, limit: 200, total: 2 },
            }
          : body,
      ),
    );
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

const intact = { storeId: STORE, entries: 12, ok: true, firstBroken: null };
const broken = {
  storeId: OTHER,
  entries: 40,
  ok: false,
  firstBroken: { seq: 17, documentNumber: "LYON-01-000017", reason: "hash_mismatch", detail: "altered" },
};

describe("comptoir retail verify", () => {
  it("says each journal is intact and exits 0, calling the admin endpoint with the token", async () => {
    const gw = await gateway(200, { stores: [intact], trustedKeys: [FINGERPRINT] });
    const { ctx, out } = context(gw.url);
    expect(await retailCommand(["verify"], ctx)).toBe(0);
    expect(out[0]).toBe(`store PARIS-01 (${STORE}): 12 entries, chain and signatures intact`);
    expect(gw.seen).toContain("GET /api/retail/admin/journal/verify Bearer admin-token");
  });

  it("names the first broken entry (store, seq, document number, reason) and exits 1; --json prints the report", async () => {
    const report = { stores: [intact, broken], trustedKeys: [FINGERPRINT] };
    const gw = await gateway(200, report);
    const { ctx, out } = context(gw.url);
    expect(await retailCommand(["verify"], ctx)).toBe(1);
    expect(out[1]).toBe(
      `store LYON-01 (${OTHER}): BROKEN at seq 17 (document LYON-01-000017): hash_mismatch — altered`,
    );
    expect(out.at(-1)).toBe("1 of 2 journals are broken");
    const json = context(gw.url);
    expect(await retailCommand(["verify", "--json"], json.ctx)).toBe(1);
    expect(JSON.parse(json.out[0]!)).toEqual(report);
  });

  it("finds a store by its code and pins the key given as a fingerprint with colons, in any case", async () => {
    const gw = await gateway(200, { stores: [intact], trustedKeys: [FINGERPRINT] });
    const { ctx, out } = context(gw.url);
    const typed = FINGERPRINT.toUpperCase().match(/../g)!.join(":");
    expect(await retailCommand(["verify", "--store", "paris-01", "--key", typed], ctx)).toBe(0);
    expect(gw.seen).toContain(
      `GET /api/retail/admin/journal/verify?storeId=${STORE}&key=${FINGERPRINT} Bearer admin-token`,
    );
    expect(out.at(-1)).toBe(`checked against the pinned key ${FINGERPRINT}`);
    await expect(retailCommand(["verify", "--store", "NANTES-09"], ctx)).rejects.toThrow(
      /no store with the code "NANTES-09"/,
    );
  });

  it("explains a refusal, and rejects unknown commands, options and malformed fingerprints", async () => {
    const gw = await gateway(403, { title: "Forbidden", status: 403, code: "forbidden", detail: "nope" });
    const { ctx } = context(gw.url);
    await expect(retailCommand(["verify"], ctx)).rejects.toThrow(/COMPTOIR_TOKEN/);
    await expect(retailCommand(["audit"], ctx)).rejects.toBeInstanceOf(UserError);
    await expect(retailCommand(["verify", "--fast"], ctx)).rejects.toThrow(/retail verify/);
    await expect(retailCommand(["verify", "--key", "abc"], ctx)).rejects.toBeInstanceOf(UsageError);
  });
});
