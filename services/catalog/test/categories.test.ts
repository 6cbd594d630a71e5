import type { TestDatabase, TestIssuer } from "@comptoir/testing";
import { http } from "@comptoir/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startCatalog } from "./harness";

let h: Harness;
let database: TestDatabase;
let api: ReturnType<typeof http>;
let base: string;
let issuer: TestIssuer;

beforeAll(async () => {
  h = await startCatalog("categories");
  ({ base, issuer, api } = h);
  database = h.testbed.database;
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  // Children before parents: the tree's foreign key forbids deleting a parent first.
  await database.db.query("DELETE FROM categories WHERE parent_id IS NOT NULL");
  await database.db.query("DELETE FROM categories");
  await database.db.query("DELETE FROM outbox");
});

const create = async (body: Record<string, unknown>) => {
  const res = await api.post("/api/catalog/categories", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; slug: string; parentId: string | null; name: string };
};
const count = async () => Number((await database.db.query("SELECT count(*) FROM categories")).rows[0].count);

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, title: expect.any(String), requestId: expect.any(String) });
  expect(res.body.type).toMatch(/^https:\/\//);
}

describe("who may change the catalog", () => {
  it("reading is public; writing needs catalog:write (401 without a token, 403 for other roles)", async () => {
    const anonymous = http(base);
    expect((await anonymous.get("/api/catalog/categories")).status).toBe(200);
    const noToken = await anonymous.post("/api/catalog/categories", { name: "Soldes" });
    expectProblem(noToken, 401, "unauthorized");
    for (const role of ["manager", "clerk", "customer"] as const) {
      const as = http(base, { authorization: `Bearer ${await issuer.token({ role })}` });
      expectProblem(await as.post("/api/catalog/categories", { name: "Soldes" }), 403, "forbidden");
    }
    const target = await create({ name: "Soldes" });
    const clerk = http(base, { authorization: `Bearer ${await issuer.token({ role: "clerk" })}` });
    expectProblem(await clerk.patch(`/api/catalog/categories/${target.id}`, { name: "x" }), 403, "forbidden");
    expectProblem(await clerk.delete(`/api/catalog/categories/${target.id}`), 403, "forbidden");
    // Refused before validation: a caller without rights learns nothing from a bad body.
    expectProblem(await anonymous.post("/api/catalog/categories", { nope: true }), 401, "unauthorized");
    expect(await count()).toBe(1);
  });
});

describe("creating categories", () => {
  it("creates a root category with a slug made from its name, and a Location header", async () => {
    const res = await api.post("/api/catalog/categories", { name: "Vêtements d'été" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Vêtements d'été", slug: "vetements-d-ete", parentId: null, position: 0 });
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // UUIDv7
    expect(res.headers.get("location")).toBe(`/api/catalog/categories/${res.body.id}`);
  });

  it("creates a child under an existing parent", async () => {
    const root = await create({ name: "Femme" });
    const child = await create({ name: "Robes", parentId: root.id, position: 2, description: "Toutes les robes" });
    expect(child).toMatchObject({ parentId: root.id, slug: "robes", position: 2, description: "Toutes les robes" });
  });

  it("derives a free slug from the parent's when the name's is taken", async () => {
    const femme = await create({ name: "Femme" });
    const homme = await create({ name: "Homme" });
    const a = await create({ name: "Accessoires", parentId: femme.id });
    const b = await create({ name: "Accessoires", parentId: homme.id });
    const c = await create({ name: "Accessoires", parentId: homme.id });
    expect([a.slug, b.slug, c.slug]).toEqual(["accessoires", "homme-accessoires", "homme-accessoires-2"]);
  });

  it("refuses an explicit slug that is already used, with 409 and nothing written", async () => {
    await create({ name: "Chaussures", slug: "chaussures" });
    const res = await api.post("/api/catalog/categories", { name: "Souliers", slug: "chaussures" });
    expectProblem(res, 409, "category_slug_taken");
    expect(res.body.errors).toEqual([{ in: "body", field: "slug", message: expect.any(String) }]);
    expect(await count()).toBe(1);
  });

  it("rejects invalid bodies with per-field errors and writes nothing", async () => {
    const cases: [unknown, string][] = [
      [{}, "name"],
      [{ name: "" }, "name"],
      [{ name: "   " }, "name"],
      [{ name: "x".repeat(121) }, "name"],
      [{ name: "Ok", slug: "Not A Slug" }, "slug"],
      [{ name: "Ok", slug: "double--dash" }, "slug"],
      [{ name: "Ok", parentId: "not-a-uuid" }, "parentId"],
      [{ name: "Ok", position: -1 }, "position"],
      [{ name: "Ok", colour: "red" }, "colour"],
    ];
    for (const [body, field] of cases) {
      const res = await api.post("/api/catalog/categories", body);
      expectProblem(res, 400, "validation_failed");
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect(await count()).toBe(0);
  });

  it("rejects malformed JSON with a 400 problem", async () => {
    const res = await api.post("/api/catalog/categories", "{not json", { "content-type": "application/json" });
    expectProblem(res, 400, "bad_request");
  });

  it("rejects a parent that does not exist", async () => {
    const res = await api.post("/api/catalog/categories", {
      name: "Orphan",
      parentId: "01900000-0000-7000-8000-000000000000",
    });
    expectProblem(res, 400, "category_parent_not_found");
    expect(await count()).toBe(0);
  });

  it("asks for a slug when the name has no letters or digits", async () => {
    expectProblem(await api.post("/api/catalog/categories", { name: "★★★" }), 400, "category_slug_required");
    expect((await create({ name: "★★★", slug: "etoiles" })).slug).toBe("etoiles");
  });

  it("gives one category per slug when the same slug is posted concurrently", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.post("/api/catalog/categories", { name: "Soldes", slug: "soldes" })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect(await count()).toBe(1);
  });
});

describe("reading categories", () => {
  it("returns the whole tree, siblings ordered by position then name", async () => {
    const maison = await create({ name: "Maison", position: 2 });
    const mode = await create({ name: "Mode", position: 1 });
    await create({ name: "Sacs", parentId: mode.id });
    const chaussures = await create({ name: "Chaussures", parentId: mode.id });
    await create({ name: "Baskets", parentId: chaussures.id });

    const res = await api.get("/api/catalog/categories");
    expect(res.status).toBe(200);
    const shape = (nodes: any[]): unknown => nodes.map((n) => [n.slug, shape(n.children)]);
    expect(shape(res.body.data)).toEqual([
      [
        "mode",
        [
          ["chaussures", [["baskets", []]]],
          ["sacs", []],
        ],
      ],
      ["maison", []],
    ]);
    expect(res.body.data[1].id).toBe(maison.id);
  });

  it("returns one category with its breadcrumb from the root and its children", async () => {
    const mode = await create({ name: "Mode" });
    const chaussures = await create({ name: "Chaussures", parentId: mode.id });
    const baskets = await create({ name: "Baskets", parentId: chaussures.id });

    const res = await api.get(`/api/catalog/categories/${chaussures.id}`);
    expect(res.status).toBe(200);
    expect(res.body.ancestors).toEqual([{ id: mode.id, name: "Mode", slug: "mode" }]);
    expect(res.body.children.map((c: { id: string }) => c.id)).toEqual([baskets.id]);

    const leaf = await api.get(`/api/catalog/categories/${baskets.id}`);
    expect(leaf.body.ancestors.map((a: { slug: string }) => a.slug)).toEqual(["mode", "chaussures"]);
  });

  it("answers 404 for an unknown id and 400 for a malformed one", async () => {
    expectProblem(
      await api.get("/api/catalog/categories/01900000-0000-7000-8000-000000000000"),
      404,
      "category_not_found",
    );
    expectProblem(await api.get("/api/catalog/categories/42"), 400, "validation_failed");
  });
});

describe("changing categories", () => {
  it("clears a description with null (not an empty string)", async () => {
    const c = await create({ name: "Thés", description: "Verts et noirs" });
    const res = await api.patch(`/api/catalog/categories/${c.id}`, { description: null });
    expect(res.status).toBe(200);
    expect(res.body.description).toBeNull();
    const created = await create({ name: "Cafés", description: null });
    expect(created).toMatchObject({ description: null });
  });

  it("renames, re-slugs and reorders", async () => {
    const c = await create({ name: "Chausures" });
    const res = await api.patch(`/api/catalog/categories/${c.id}`, {
      name: "Chaussures",
      slug: "chaussures",
      position: 5,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Chaussures", slug: "chaussures", position: 5 });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.createdAt));
  });

  it("moves a category under another one, and back to the root with parentId null", async () => {
    const a = await create({ name: "A" });
    const b = await create({ name: "B" });
    const moved = await api.patch(`/api/catalog/categories/${b.id}`, { parentId: a.id });
    expect(moved.body.parentId).toBe(a.id);
    const back = await api.patch(`/api/catalog/categories/${b.id}`, { parentId: null });
    expect(back.body.parentId).toBeNull();
  });

  it("refuses to move a category under itself or its descendants (409), leaving the tree unchanged", async () => {
    const a = await create({ name: "A" });
    const b = await create({ name: "B", parentId: a.id });
    const c = await create({ name: "C", parentId: b.id });
    expectProblem(await api.patch(`/api/catalog/categories/${a.id}`, { parentId: c.id }), 409, "category_cycle");
    expectProblem(await api.patch(`/api/catalog/categories/${a.id}`, { parentId: a.id }), 409, "category_cycle");
    const tree = await api.get("/api/catalog/categories");
    expect(tree.body.data.map((n: { id: string }) => n.id)).toEqual([a.id]);
  });

  it("never builds a cycle from two concurrent opposite moves", async () => {
    for (let round = 0; round < 5; round++) {
      const x = await create({ name: `X${round}` });
      const y = await create({ name: `Y${round}` });
      const [first, second] = await Promise.all([
        api.patch(`/api/catalog/categories/${x.id}`, { parentId: y.id }),
        api.patch(`/api/catalog/categories/${y.id}`, { parentId: x.id }),
      ]);
      expect([first.status, second.status].sort()).toEqual([200, 409]);
    }
    // Every category still reaches a root.
    const { rows } = await database.db.query(`
      WITH RECURSIVE reach AS (SELECT id FROM categories WHERE parent_id IS NULL
        UNION SELECT c.id FROM categories c JOIN reach r ON c.parent_id = r.id)
      SELECT (SELECT count(*) FROM reach) AS reached, (SELECT count(*) FROM categories) AS total`);
    expect(rows[0].reached).toBe(rows[0].total);
  });

  it("refuses a slug used by another category, an unknown parent, an empty body and an unknown id", async () => {
    await create({ name: "Taken", slug: "taken" });
    const c = await create({ name: "Other" });
    expectProblem(await api.patch(`/api/catalog/categories/${c.id}`, { slug: "taken" }), 409, "category_slug_taken");
    expectProblem(
      await api.patch(`/api/catalog/categories/${c.id}`, { parentId: "01900000-0000-7000-8000-000000000000" }),
      400,
      "category_parent_not_found",
    );
    expectProblem(await api.patch(`/api/catalog/categories/${c.id}`, {}), 400, "validation_failed");
    expectProblem(
      await api.patch("/api/catalog/categories/01900000-0000-7000-8000-000000000000", { name: "Nope" }),
      404,
      "category_not_found",
    );
    expect((await api.get(`/api/catalog/categories/${c.id}`)).body.slug).toBe("other");
  });
});

describe("deleting categories", () => {
  it("deletes a category without children (204) and then it is gone (404)", async () => {
    const c = await create({ name: "Temporary" });
    const res = await api.delete(`/api/catalog/categories/${c.id}`);
    expect(res.status).toBe(204);
    expectProblem(await api.get(`/api/catalog/categories/${c.id}`), 404, "category_not_found");
    expectProblem(await api.delete(`/api/catalog/categories/${c.id}`), 404, "category_not_found");
  });

  it("refuses to delete a category that has children (409) and keeps both", async () => {
    const parent = await create({ name: "Parent" });
    await create({ name: "Child", parentId: parent.id });
    expectProblem(await api.delete(`/api/catalog/categories/${parent.id}`), 409, "category_has_children");
    expect(await count()).toBe(2);
  });

  it("never leaves an orphan when a child is created while its parent is deleted", async () => {
    for (let round = 0; round < 5; round++) {
      const parent = await create({ name: `P${round}` });
      const [del, child] = await Promise.all([
        api.delete(`/api/catalog/categories/${parent.id}`),
        api.post("/api/catalog/categories", { name: `C${round}`, parentId: parent.id }),
      ]);
      if (del.status === 204) expectProblem(child, 400, "category_parent_not_found");
      else {
        expectProblem(del, 409, "category_has_children");
        expect(child.status).toBe(201);
      }
    }
    const { rows } = await database.db.query(
      "SELECT count(*)::int AS orphans FROM categories c WHERE parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM categories p WHERE p.id = c.parent_id)",
    );
    expect(rows[0].orphans).toBe(0);
  });
});

describe("the service surface", () => {
  it("documents the category routes in /openapi.json", async () => {
    const res = await api.get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(["/api/catalog/categories", "/api/catalog/categories/{id}"]),
    );
    expect(res.body.paths["/api/catalog/categories"].post.responses).toHaveProperty("409");
  });

  it("is ready when its database and its event transport answer", async () => {
    const res = await api.get("/health/ready");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "ok",
      service: "catalog",
      checks: { database: { status: "ok" }, events: { status: "ok" } },
    });
  });
});

describe("publishing category events", () => {
  interface OutboxRow {
    type: string;
    subject: string;
    source: string;
    data: Record<string, unknown>;
    /** The transaction that wrote the row. */
    tx: string;
  }
  const outbox = async () =>
    (
      await database.db.query<OutboxRow>(
        `SELECT type, subject, envelope->>'source' AS source, envelope->'data' AS data, xmin::text AS tx
           FROM outbox ORDER BY position`,
      )
    ).rows;
  /** The transaction that last wrote the category's row. */
  const txOf = async (id: string) =>
    (await database.db.query<{ tx: string }>("SELECT xmin::text AS tx FROM categories WHERE id = $1", [id])).rows[0]
      ?.tx;
  const snapshot = (c: Record<string, unknown>) => ({
    id: c.id,
    parentId: c.parentId,
    name: c.name,
    slug: c.slug,
    description: c.description,
    position: c.position,
  });

  it("creating a category writes catalog.category.created with its whole state, in the same transaction", async () => {
    const mode = await create({ name: "Mode" });
    const robes = await create({ name: "Robes", parentId: mode.id, description: "Toutes les robes", position: 3 });
    const rows = await outbox();
    expect(rows.map((r) => [r.type, r.subject])).toEqual([
      ["catalog.category.created", mode.id],
      ["catalog.category.created", robes.id],
    ]);
    expect(rows[1]!.source).toBe("catalog");
    expect(rows[1]!.data).toEqual({
      id: robes.id,
      parentId: mode.id,
      name: "Robes",
      slug: "robes",
      description: "Toutes les robes",
      position: 3,
    });
    expect(rows[0]!.tx).toBe(await txOf(mode.id));
    expect(rows[1]!.tx).toBe(await txOf(robes.id));
    expect(rows[0]!.tx).not.toBe(rows[1]!.tx);
  });

  it("renaming, moving and reordering each write catalog.category.updated with the new state, in the same transaction", async () => {
    const a = await create({ name: "A" });
    const b = await create({ name: "B" });
    await database.db.query("DELETE FROM outbox");

    const changes = [{ name: "B renamed", slug: "b-renamed" }, { parentId: a.id }, { position: 7 }, { parentId: null }];
    for (const change of changes) {
      const res = await api.patch(`/api/catalog/categories/${b.id}`, change);
      expect(res.status).toBe(200);
      const rows = await outbox();
      const last = rows.at(-1)!;
      expect(rows).toHaveLength(changes.indexOf(change) + 1);
      expect(last).toMatchObject({ type: "catalog.category.updated", subject: b.id });
      expect(last.data).toEqual(snapshot(res.body));
      expect(last.tx).toBe(await txOf(b.id));
    }
    expect((await outbox()).at(-1)!.data).toMatchObject({ name: "B renamed", parentId: null, position: 7 });
  });

  it("an update that changes nothing writes nothing and publishes nothing", async () => {
    const parent = await create({ name: "Parent" });
    const c = await create({ name: "Same", slug: "same", parentId: parent.id, description: null });
    const before = await outbox();
    const { updatedAt } = (await api.get(`/api/catalog/categories/${c.id}`)).body;
    const res = await api.patch(`/api/catalog/categories/${c.id}`, {
      name: " Same ",
      slug: "same",
      parentId: parent.id,
      description: null,
      position: 0,
    });
    expect(res.status).toBe(200);
    expect(res.body.updatedAt).toBe(updatedAt);
    expect(await outbox()).toEqual(before);
  });

  it("deleting a category writes catalog.category.deleted with its id", async () => {
    const c = await create({ name: "Temporary" });
    expect((await api.delete(`/api/catalog/categories/${c.id}`)).status).toBe(204);
    const rows = await outbox();
    expect(rows.map((r) => r.type)).toEqual(["catalog.category.created", "catalog.category.deleted"]);
    expect(rows[1]).toMatchObject({ subject: c.id, data: { id: c.id } });
  });

  it("a change that fails publishes nothing: slug taken, cycle, children, unknown id", async () => {
    const taken = await create({ name: "Taken", slug: "taken" });
    const child = await create({ name: "Child", parentId: taken.id });
    const before = await outbox();

    expectProblem(
      await api.post("/api/catalog/categories", { name: "Other", slug: "taken" }),
      409,
      "category_slug_taken",
    );
    expectProblem(
      await api.patch(`/api/catalog/categories/${child.id}`, { slug: "taken" }),
      409,
      "category_slug_taken",
    );
    expectProblem(
      await api.patch(`/api/catalog/categories/${taken.id}`, { parentId: child.id }),
      409,
      "category_cycle",
    );
    expectProblem(await api.delete(`/api/catalog/categories/${taken.id}`), 409, "category_has_children");
    expectProblem(
      await api.patch("/api/catalog/categories/01900000-0000-7000-8000-000000000000", { name: "Nope" }),
      404,
      "category_not_found",
    );
    expect(await outbox()).toEqual(before);
  });

  it("of concurrent creates with the same slug, only the one that succeeds publishes", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api.post("/api/catalog/categories", { name: "Soldes", slug: "soldes" })),
    );
    const winner = results.find((r) => r.status === 201)!;
    expect((await outbox()).map((r) => r.subject)).toEqual([winner.body.id]);
  });

  it("when the event cannot be written, the category is not written either", async () => {
    await database.db.query(`CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$`);
    await database.db.query(
      "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()",
    );
    try {
      const res = await api.post("/api/catalog/categories", { name: "Lost" });
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain("outbox unavailable");
      expect(await count()).toBe(0);
    } finally {
      await database.db.query("DROP TRIGGER refuse_outbox ON outbox; DROP FUNCTION refuse_outbox()");
    }
    expect(await outbox()).toEqual([]);
  });
});
