import { BACKEND_SERVICES, type BackendService } from "@comptoir/contracts";
import { describe, expect, it } from "vitest";
import type { InstanceCounts } from "../src/config/instances.option";
import { planBudget } from "../src/launcher/connection-budget";

const urls = Object.fromEntries(
  BACKEND_SERVICES.map((service) => [service, new URL(`postgres://app:secret@db.internal:5432/comptoir_${service}`)]),
) as Record<BackendService, URL>;
const events = new URL("postgres://app:secret@db.internal:5432/comptoir_events");

function counts(extra: Partial<InstanceCounts> = {}): InstanceCounts {
  return { ...(Object.fromEntries(BACKEND_SERVICES.map((s) => [s, 1])) as InstanceCounts), ...extra };
}

const debianDefault = () => ({ maxConnections: 100, reserved: 3 });

describe("the launcher's connection plan", () => {
  it("sizes the pools to fit a server of 100 connections: the issue's layout with NATS gets pools of 4, and says how the sum is made", () => {
    const plan = planBudget(
      {
        instances: counts({ catalog: 2, orders: 2, inventory: 2 }),
        serviceUrls: urls,
        eventLogUrl: undefined,
        poolSize: undefined,
        eventLogPoolSize: 2,
        transactionPooler: false,
      },
      debianDefault,
    );
    // 14 instances × (session + admin) = 28; (97 − 5 − 28) / 14 = 4.
    expect(plan).toMatchObject({ poolSize: 4, automatic: true });
    expect(plan.servers).toEqual([
      expect.objectContaining({
        server: "postgres://app:***@db.internal:5432/",
        total: 84,
        formula: "14 instances × (pool 4 + session 1 + admin 1)",
      }),
    ]);
    expect(plan.servers[0]!.total).toBeLessThanOrEqual(97);
  });

  it("counts the event log's pool and listener of every instance on the event log's server", () => {
    const plan = planBudget(
      {
        instances: counts(),
        serviceUrls: urls,
        eventLogUrl: events,
        poolSize: undefined,
        eventLogPoolSize: 2,
        transactionPooler: false,
      },
      debianDefault,
    );
    // 11 × 2 + 11 × 3 = 55 fixed; (97 − 5 − 55) / 11 = 3.
    expect(plan.poolSize).toBe(3);
    expect(plan.servers[0]).toMatchObject({
      total: 88,
      formula: "11 instances × (pool 3 + session 1 + admin 1) + event log: 11 instances × 3",
    });
  });

  it("keeps the default of 10 where the server has room (the embedded server is sized for it)", () => {
    const plan = planBudget(
      {
        instances: counts(),
        serviceUrls: urls,
        eventLogUrl: events,
        poolSize: undefined,
        eventLogPoolSize: 2,
        transactionPooler: false,
      },
      () => ({ maxConnections: 350, reserved: 3 }),
    );
    expect(plan.poolSize).toBe(10);
  });

  it("refuses, with the figures, when even pools of 2 cannot fit", () => {
    expect(() =>
      planBudget(
        {
          instances: counts({ catalog: 8, orders: 8, inventory: 8 }),
          serviceUrls: urls,
          eventLogUrl: events,
          poolSize: undefined,
          eventLogPoolSize: 2,
          transactionPooler: false,
        },
        debianDefault,
      ),
    ).toThrow(
      "not enough PostgreSQL connections at postgres://app:***@db.internal:5432/: it allows 97 (max_connections 100 − 3 reserved), and the platform would hold up to 224: 32 instances × (pool 2 + session 1 + admin 1) + event log: 32 instances × 3.\n" +
        "Even pools of 2 do not fit (with 5 connections left free): start fewer instances, or raise max_connections (or put PgBouncer in front, DATABASE_POOL_MODE=transaction).",
    );
  });

  it("checks an explicit DATABASE_POOL_SIZE as given, and says which size would fit", () => {
    const request = {
      instances: counts(),
      serviceUrls: urls,
      eventLogUrl: undefined,
      eventLogPoolSize: 2,
      transactionPooler: false,
    };
    expect(planBudget({ ...request, poolSize: 6 }, debianDefault)).toMatchObject({ poolSize: 6, automatic: false });
    expect(() => planBudget({ ...request, poolSize: 10 }, debianDefault)).toThrow(
      /would hold up to 132: 11 instances × \(pool 10 \+ session 1 \+ admin 1\)\.\nLower DATABASE_POOL_SIZE \(at most 6 fits\)/,
    );
  });

  it("behind a transaction pooler, counts only sessions and admin slots on the server (the pools are the pooler's)", () => {
    const plan = planBudget(
      {
        instances: counts({ catalog: 8, orders: 8, inventory: 8 }),
        serviceUrls: urls,
        eventLogUrl: undefined,
        poolSize: 20,
        eventLogPoolSize: 2,
        transactionPooler: true,
      },
      debianDefault,
    );
    expect(plan.servers[0]).toMatchObject({ total: 64, formula: "32 instances × (session 1 + admin 1)" });
  });

  it("plans each server apart when services have databases of their own elsewhere", () => {
    const apart = { ...urls, catalog: new URL("postgres://cat@catalog-db:5432/catalog") };
    const plan = planBudget(
      {
        instances: counts({ catalog: 3 }),
        serviceUrls: apart,
        eventLogUrl: undefined,
        poolSize: undefined,
        eventLogPoolSize: 2,
        transactionPooler: false,
      },
      (url) =>
        url.hostname === "catalog-db" ? { maxConnections: 20, reserved: 3 } : { maxConnections: 100, reserved: 3 },
    );
    // catalog-db: (17 − 5 − 6) / 3 = 2; the shared server would allow more, the smallest wins.
    expect(plan.poolSize).toBe(2);
    expect(plan.servers.map((s) => [s.server, s.total])).toEqual([
      ["postgres://app:***@db.internal:5432/", 40],
      ["postgres://cat@catalog-db:5432/", 12],
    ]);
  });
});
