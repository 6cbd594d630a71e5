import { describe, expect, it } from "vitest";
import { createComptoirClient, ProblemError, problemOf, SERVICES, unwrap } from "../src/index";

/** The client's runtime against a fake gateway: what it sends, and how it reads an error answer. */

function fakeGateway(answer: (request: Request) => Response) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    return answer(request);
  };
  return { seen, fetch };
}

const json = (status: number, body: unknown, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("the typed client", () => {
  it("has one client per service the gateway routes, calling the gateway's paths", async () => {
    const gateway = fakeGateway(() => json(200, { data: [], total: 0, limit: 20, offset: 0 }));
    const api = createComptoirClient({ baseUrl: "http://gateway.test/", fetch: gateway.fetch });
    expect(Object.keys(SERVICES).every((service) => service in api)).toBe(true);

    await api.catalog.GET("/api/catalog/products", { params: { query: { limit: 20 } } });
    expect(gateway.seen[0]!.url).toBe("http://gateway.test/api/catalog/products?limit=20");
    expect(gateway.seen[0]!.headers.get("authorization")).toBeNull();
  });

  it("sends the token, the API key and a call's own headers; withToken changes only the token", async () => {
    const gateway = fakeGateway(() => json(200, {}));
    const api = createComptoirClient({ baseUrl: "http://gateway.test", fetch: gateway.fetch, apiKey: "ck_test_1" });
    await api.withToken("t0k3n").orders.POST("/api/orders/{id}/cancel", {
      params: { path: { id: "00000000-0000-4000-8000-000000000001" } },
      headers: { "idempotency-key": "k1" },
      body: { reason: "changed my mind" },
    });
    const request = gateway.seen[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("http://gateway.test/api/orders/00000000-0000-4000-8000-000000000001/cancel");
    expect(request.headers.get("authorization")).toBe("Bearer t0k3n");
    expect(request.headers.get("x-api-key")).toBe("ck_test_1");
    expect(request.headers.get("idempotency-key")).toBe("k1");
    expect(await request.json()).toEqual({ reason: "changed my mind" });
  });

  it("turns a problem+json answer into a ProblemError with its status and code", async () => {
    const body = { type: "about:blank", title: "Payment Required", status: 402, code: "card_declined", detail: "no" };
    const gateway = fakeGateway(() => json(402, body, "application/problem+json"));
    const api = createComptoirClient({ baseUrl: "http://gateway.test", fetch: gateway.fetch });
    const result = await api.identity.POST("/api/identity/login", { body: { email: "a@b.fr", password: "x" } });
    const problem = problemOf(result);
    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem).toMatchObject({ status: 402, code: "card_declined", problem: body });
    expect(() => unwrap(result)).toThrow("402 card_declined: no");
  });

  it("gives an answer that is not problem+json a problem of its own, and unwraps a success", async () => {
    const failing = fakeGateway(
      () => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    );
    const down = createComptoirClient({ baseUrl: "http://gateway.test", fetch: failing.fetch });
    const problem = problemOf(await down.catalog.GET("/api/catalog/categories"));
    expect(problem?.problem).toEqual({
      type: "about:blank",
      title: "Bad Gateway",
      status: 502,
      code: "http_502",
      detail: "<html>bad gateway</html>",
    });

    const working = fakeGateway(() => json(200, [{ id: "c1", name: "Pulls" }]));
    const up = createComptoirClient({ baseUrl: "http://gateway.test", fetch: working.fetch });
    const result = await up.catalog.GET("/api/catalog/categories");
    expect(problemOf(result)).toBeUndefined();
    expect(unwrap(result)).toEqual([{ id: "c1", name: "Pulls" }]);
  });
});
