// The end checks: nothing lost, nothing doubled. Read from the services' own databases directly
// (the harness owns the PostgreSQL server), plus `comptoir inventory verify` and `comptoir events
// status` / `events dlq list` as an operator would run them (they find the platform through the
// data folder's runtime.json and log in as the demo admin).
import { spawnSync } from "node:child_process";
import pg from "pg";
import { LAUNCHER, ROOT, sleep } from "./processes.mjs";

async function query(postgres, database, sql, params = []) {
  const client = new pg.Client({ connectionString: postgres.url(database) });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

const SERVICES_WITH_EVENTS = [
  "identity",
  "catalog",
  "inventory",
  "supply",
  "cart",
  "orders",
  "payments",
  "retail",
  "reporting",
  "search",
  "notifications",
];

function cli(dataDir, args) {
  const res = spawnSync(process.execPath, [LAUNCHER, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, COMPTOIR_DATA: dataDir },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}`.trim() };
}

async function unsentAndDead(postgres, prefix) {
  const out = {};
  for (const service of SERVICES_WITH_EVENTS) {
    const db = `${prefix}_${service}`;
    try {
      const [o] = await query(postgres, db, "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL");
      const dead = await query(
        postgres,
        db,
        "SELECT consumer_group, event_type, split_part(error, E'\\n', 1) AS error FROM dead_letters WHERE replayed_at IS NULL",
      );
      out[service] = { unsent: o.n, dead };
    } catch (error) {
      out[service] = { error: error.message };
    }
  }
  return out;
}

/** Waits until every outbox is sent (the consumers' lag is read by `events status` below). */
export async function quiesce(postgres, prefix, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await unsentAndDead(postgres, prefix);
    const unsent = Object.values(state).reduce((n, s) => n + (s.unsent ?? 0), 0);
    if (unsent === 0 || Date.now() > deadline) return unsent;
    await sleep(1000);
  }
}

/**
 * Runs every check; returns {problems: [...], notes: [...]} where a problem is a loss or a double
 * (the run fails) and a note is something explained (still worth reading).
 */
export async function endChecks({ postgres, prefix = "comptoir", dataDir, ledger, log = console.log }) {
  const problems = [];
  const notes = [];
  const unsentLeft = await quiesce(postgres, prefix);
  // Give the consumers a few seconds more to drain what was just sent.
  await sleep(5000);

  // 1. comptoir inventory verify
  const verify = cli(dataDir, ["inventory", "verify"]);
  log(`  comptoir inventory verify → exit ${verify.code}: ${verify.out.split("\n").slice(0, 6).join(" | ")}`);
  if (verify.code !== 0) problems.push(`inventory verify exit ${verify.code}: ${verify.out.slice(0, 500)}`);

  // 2. orders ↔ payments ↔ reservations ↔ confirmation mails (read from each service's database)
  const orders = await query(postgres, `${prefix}_orders`, "SELECT id, status, payment_id, reservation_id FROM orders");
  const checkouts = await query(
    postgres,
    `${prefix}_orders`,
    "SELECT status, count(*)::int AS n FROM checkouts GROUP BY 1",
  );
  const payments = await query(
    postgres,
    `${prefix}_payments`,
    "SELECT id, order_id, status, captured_amount FROM payments",
  );
  const reservations = await query(
    postgres,
    `${prefix}_inventory`,
    "SELECT id, reference, status FROM reservations WHERE reference LIKE 'order-%'",
  );
  const mails = await query(
    postgres,
    `${prefix}_notifications`,
    "SELECT topic, count(*)::int AS n FROM messages WHERE template = 'order_confirmed' GROUP BY 1",
  );
  const paidLike = new Set(["paid", "shipped", "delivered"]);
  const byOrder = (rows, key) => {
    const map = new Map();
    for (const r of rows) map.set(r[key], [...(map.get(r[key]) ?? []), r]);
    return map;
  };
  const paymentsByOrder = byOrder(payments, "order_id");
  const reservationsByRef = byOrder(reservations, "reference");
  const mailsByTopic = new Map(mails.map((m) => [m.topic, m.n]));
  const orderById = new Map(orders.map((o) => [o.id, o]));
  let paidCount = 0;
  for (const o of orders) {
    const captured = (paymentsByOrder.get(o.id) ?? []).filter((p) => p.captured_amount > 0);
    const res = reservationsByRef.get(`order-${o.id}`) ?? [];
    if (!paidLike.has(o.status)) continue;
    paidCount++;
    if (captured.length !== 1 || captured[0].id !== o.payment_id)
      problems.push(`order ${o.id} (${o.status}) has ${captured.length} captured payments`);
    const committed = res.filter((r) => r.status === "committed");
    if (committed.length !== 1 || committed[0].id !== o.reservation_id)
      problems.push(
        `order ${o.id} (${o.status}) has ${committed.length} committed reservations (${res.map((r) => r.status)})`,
      );
    const mailed = mailsByTopic.get(`order:${o.id}`) ?? 0;
    if (mailed !== 1) problems.push(`order ${o.id} (${o.status}) has ${mailed} order_confirmed mails`);
  }
  for (const p of payments) {
    const o = orderById.get(p.order_id);
    if (p.captured_amount > 0 && (!o || (!paidLike.has(o.status) && o.status !== "refunded")))
      problems.push(`payment ${p.id} captured for order ${p.order_id} which is ${o ? o.status : "missing"}`);
  }
  for (const r of reservations) {
    const o = orderById.get(r.reference.slice("order-".length));
    if (r.status === "committed" && (!o || !(paidLike.has(o.status) || o.status === "refunded")))
      problems.push(
        `reservation ${r.id} (${r.reference}) committed without a paid order (${o ? o.status : "missing"})`,
      );
    if (r.status === "active") notes.push(`reservation ${r.reference} still active (expires with its TTL)`);
  }
  for (const id of ledger.paidOrders) {
    const o = orderById.get(id);
    if (!o || !paidLike.has(o.status))
      problems.push(`order ${id} answered 201 paid to the shopper but is ${o?.status ?? "missing"}`);
  }
  const pending = orders.filter((o) => o.status === "pending").length;
  if (pending) notes.push(`${pending} orders still pending`);
  log(
    `  orders: ${paidCount} paid (${ledger.paidOrders.length} answered 201 to the load), checkouts ${checkouts
      .map((c) => `${c.status} ${c.n}`)
      .join(", ")}; payments ${payments.length}; order reservations ${reservations.length}`,
  );

  // 3. replenishment: a completed request ↔ exactly one completed transfer; a failed one, none.
  const requests = await query(postgres, `${prefix}_supply`, "SELECT id, status FROM supply_requests");
  const transfers = await query(
    postgres,
    `${prefix}_inventory`,
    "SELECT reference, status FROM transfers WHERE reference LIKE 'supply-%'",
  );
  const transfersByRef = byOrder(transfers, "reference");
  const requestStatus = new Map(requests.map((r) => [r.id, r.status]));
  for (const r of requests) {
    const done = (transfersByRef.get(`supply-${r.id}`) ?? []).filter((t) => t.status === "completed").length;
    if (r.status === "completed" && done !== 1)
      problems.push(`supply request ${r.id} completed with ${done} transfers`);
    if (r.status === "failed" && done !== 0) problems.push(`supply request ${r.id} failed but ${done} transfers stand`);
    if (r.status === "approved") notes.push(`supply request ${r.id} still approved (saga running)`);
  }
  for (const id of ledger.supplyCompleted)
    if (requestStatus.get(id) !== "completed")
      problems.push(`supply request ${id} answered completed but is ${requestStatus.get(id)}`);
  const count = (s) => requests.filter((r) => r.status === s).length;
  log(
    `  supply: ${requests.length} requests (${count("completed")} completed, ${count("failed")} failed, ${count(
      "approved",
    )} running), ${transfers.length} transfers`,
  );

  // 4. events: every outbox sent, no dead letter; published vs handled per type.
  const state = await unsentAndDead(postgres, prefix);
  for (const [service, s] of Object.entries(state)) {
    if (s.error) {
      notes.push(`${service}: ${s.error}`);
      continue;
    }
    if (s.unsent) problems.push(`${service}: ${s.unsent} outbox rows never sent`);
    for (const d of s.dead) problems.push(`${service}: dead letter ${d.consumer_group} ${d.event_type}: ${d.error}`);
  }
  const published = new Map();
  const handled = new Map();
  for (const service of SERVICES_WITH_EVENTS) {
    try {
      for (const r of await query(
        postgres,
        `${prefix}_${service}`,
        "SELECT type, count(*)::int AS n FROM outbox GROUP BY 1",
      ))
        published.set(r.type, (published.get(r.type) ?? 0) + r.n);
      for (const r of await query(
        postgres,
        `${prefix}_${service}`,
        "SELECT consumer_group, event_type, count(*)::int AS n FROM inbox GROUP BY 1, 2",
      ))
        handled.set(`${r.consumer_group} ${r.event_type}`, r.n);
    } catch {}
  }
  for (const [key, n] of handled) {
    const type = key.split(" ")[1];
    const p = published.get(type) ?? 0;
    if (n > p)
      problems.push(`events: group ${key.split(" ")[0]} handled ${n} ${type} but ${p} were published (double)`);
    else if (n < p) notes.push(`events: group ${key.split(" ")[0]} handled ${n} of ${p} ${type}`);
  }
  log(
    `  events: ${[...published.values()].reduce((a, b) => a + b, 0)} published (outbox), ${handled.size} (group, type) pairs handled; unsent at quiescence ${unsentLeft}`,
  );
  const status = cli(dataDir, ["events", "status"]);
  log(`  comptoir events status → exit ${status.code}`);
  for (const line of status.out.split("\n").slice(0, 40)) log(`    ${line}`);
  if (status.code !== 0) problems.push(`events status exit ${status.code}`);
  const dlq = cli(dataDir, ["events", "dlq", "list"]);
  log(`  comptoir events dlq list → exit ${dlq.code}: ${dlq.out.split("\n").slice(0, 5).join(" | ")}`);
  return { problems, notes };
}
