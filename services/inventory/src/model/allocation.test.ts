import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, mergeItems } from "./allocation";
import { byPriority } from "./location";

const stockOf = (table: Record<string, Record<string, number>>) => (v: string, l: string) => table[v]?.[l] ?? 0;

describe("allocating a reservation", () => {
  it("takes a line from the first location in priority order that has it", () => {
    const result = allocate(
      [{ variantId: "a", quantity: 3 }],
      ["online", "central"],
      stockOf({ a: { online: 5, central: 9 } }),
      "split",
    );
    expect(result).toEqual({ ok: true, lines: [{ variantId: "a", locationId: "online", quantity: 3 }] });
  });

  it("splits a line over the next locations when the first is short", () => {
    const result = allocate(
      [{ variantId: "a", quantity: 7 }],
      ["online", "central", "store"],
      stockOf({ a: { online: 2, central: 3, store: 10 } }),
      "split",
    );
    expect(result).toEqual({
      ok: true,
      lines: [
        { variantId: "a", locationId: "online", quantity: 2 },
        { variantId: "a", locationId: "central", quantity: 3 },
        { variantId: "a", locationId: "store", quantity: 2 },
      ],
    });
  });

  it("is all-or-nothing: any short item fails the whole request and is reported with what exists", () => {
    const result = allocate(
      [
        { variantId: "a", quantity: 2 },
        { variantId: "b", quantity: 5 },
      ],
      ["online", "central"],
      stockOf({ a: { online: 9 }, b: { online: 1, central: 2 } }),
      "split",
    );
    expect(result).toEqual({ ok: false, short: [{ variantId: "b", requested: 5, available: 3 }] });
  });

  it("with strategy single, serves every item from one location, the first that can", () => {
    const table = stockOf({ a: { online: 9, central: 9 }, b: { online: 1, central: 4 } });
    const items = [
      { variantId: "a", quantity: 2 },
      { variantId: "b", quantity: 3 },
    ];
    expect(allocate(items, ["online", "central"], table, "single")).toEqual({
      ok: true,
      lines: [
        { variantId: "a", locationId: "central", quantity: 2 },
        { variantId: "b", locationId: "central", quantity: 3 },
      ],
    });
    // Click-and-collect: one candidate only.
    expect(allocate(items, ["online"], table, "single")).toEqual({
      ok: false,
      short: [{ variantId: "b", requested: 3, available: 1 }],
    });
  });

  it("single reports every item when each exists somewhere but not all at one place", () => {
    const result = allocate(
      [
        { variantId: "a", quantity: 2 },
        { variantId: "b", quantity: 2 },
      ],
      ["x", "y"],
      stockOf({ a: { x: 2 }, b: { y: 2 } }),
      "single",
    );
    expect(result.ok).toBe(false);
  });

  it("merges items naming the same variant", () => {
    expect(
      mergeItems([
        { variantId: "a", quantity: 1 },
        { variantId: "b", quantity: 2 },
        { variantId: "a", quantity: 3 },
      ]),
    ).toEqual([
      { variantId: "a", quantity: 4 },
      { variantId: "b", quantity: 2 },
    ]);
  });

  it("never allocates more than available nor other than requested (property)", () => {
    const locs = ["l1", "l2", "l3"];
    fc.assert(
      fc.property(
        fc.array(fc.record({ variantId: fc.constantFrom("a", "b", "c"), quantity: fc.integer({ min: 1, max: 20 }) }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.dictionary(
          fc.constantFrom("a", "b", "c"),
          fc.dictionary(fc.constantFrom(...locs), fc.integer({ min: 0, max: 20 })),
        ),
        fc.constantFrom("split" as const, "single" as const),
        (items, table, strategy) => {
          const available = stockOf(table);
          const result = allocate(items, locs, available, strategy);
          const wanted = mergeItems(items);
          if (!result.ok) {
            expect(result.short.length).toBeGreaterThan(0);
            if (strategy === "split") {
              for (const s of result.short) expect(s.available).toBeLessThan(s.requested);
            }
            return;
          }
          for (const item of wanted) {
            const lines = result.lines.filter((l) => l.variantId === item.variantId);
            expect(lines.reduce((n, l) => n + l.quantity, 0)).toBe(item.quantity);
            for (const l of lines) expect(l.quantity).toBeLessThanOrEqual(available(l.variantId, l.locationId));
          }
          if (strategy === "single") expect(new Set(result.lines.map((l) => l.locationId)).size).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("orders locations online, central, then stores by default, or by the codes configured", () => {
    const locations = [
      { code: "STORE-2", kind: "store" as const },
      { code: "CENTRAL", kind: "central" as const },
      { code: "STORE-1", kind: "store" as const },
      { code: "ONLINE", kind: "online" as const },
    ];
    expect(byPriority(locations, ["online", "central", "store"]).map((l) => l.code)).toEqual([
      "ONLINE",
      "CENTRAL",
      "STORE-1",
      "STORE-2",
    ]);
    expect(byPriority(locations, ["STORE-2", "central"]).map((l) => l.code)).toEqual([
      "STORE-2",
      "CENTRAL",
      "ONLINE",
      "STORE-1",
    ]);
  });
});
