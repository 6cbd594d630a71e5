import { endpoint, Id, IdParams } from "@comptoir/contracts/http";
import { Type } from "typebox";
import { afterEach, describe, expect, it } from "vitest";
import {
  type App,
  ConflictError,
  ContractViolation,
  callEndpoint,
  createApp,
  createServiceClient,
  defineClient,
  ignoring,
  isProblemOf,
  ServiceProblem,
  UnavailableError,
} from "../src";
import { contractMismatches, testLogger } from "@comptoir/testing";

/** A tiny provider's contract: a read, an idempotent action, a plain create, and a 204. */
const Thing = Type.Object({ id: Id, name: Type.String(), count: Type.Integer({ minimum: 0 }) });
const demo = {
  getThing: endpoint({
    method: "GET",
    path: "/api/demo/things/:id",
    params: IdParams,
    query: Type.Object({ verbose: Type.Boolean({ default: false }) }),
    responses: { 200: Thing },
    errors: ["thing_not_found"],
  }),
  createThing: endpoint({
    method: "POST",
    path: "/api/demo/things",
    body: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    responses: { 201: Thing },
    errors: ["thing_name_taken"],
  }),
  touchThing: endpoint({
    method: "POST",
    path: "/api/demo/things/:id/touch",
    params: IdParams,
    responses: { 200: Thing },
    errors: ["thing_not_found", "thing_locked"],
    idempotent: true,
  }),
  forgetThing: endpoint({
    method: "DELETE",
    path: "/api/demo/things/:id",
    params: IdParams,
    responses: { 204: Type.Null() },
  }),
};

const ID = "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e01";
let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** The provider, on a real port, registering its routes with the contract's schemas. */
async function provider(behaviour: {
  thing?: (id: string) => unknown;
  onCreate?: (n: number) => { status: number } | undefined;
  onTouch?: (n: number) => { status: number; delayMs?: number } | undefined;
}) {
  app = await createApp({ service: "demo", instance: "demo-1", logger: testLogger("demo") });
  const calls = { create: 0, touch: 0, lastQuery: {} as unknown, lastBody: undefined as unknown };
  app.get(
    demo.getThing.path,
    { schema: { params: demo.getThing.params, querystring: demo.getThing.query } },
    async (request) => {
      calls.lastQuery = request.query;
      const thing = behaviour.thing?.(request.params.id);
      if (!thing)
        throw new ConflictError("thing_not_found", `No thing ${request.params.id}.`, { extensions: { hint: 1 } });
      return thing;
    },
  );
  app.post(demo.createThing.path, { schema: { body: demo.createThing.body } }, async (request, reply) => {
    calls.lastBody = request.body;
    const forced = behaviour.onCreate?.(++calls.create);
    if (forced) return reply.code(forced.status).send({});
    return reply.code(201).send({ id: ID, name: request.body.name, count: 0 });
  });
  app.post(demo.touchThing.path, { schema: { params: demo.touchThing.params } }, async (request, reply) => {
    const forced = behaviour.onTouch?.(++calls.touch);
    if (forced?.delayMs) await new Promise((r) => setTimeout(r, forced.delayMs));
    if (forced) return reply.code(forced.status).send({});
    return { id: request.params.id, name: "touched", count: calls.touch };
  });
  app.delete(demo.forgetThing.path, { schema: { params: demo.forgetThing.params } }, async (_request, reply) =>
    reply.code(204).send(),
  );
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const client = createServiceClient({ target: "demo", baseUrls: url, timeoutMs: 300, maxRetries: 2 });
  return { url, client, api: defineClient(client, demo), calls };
}

describe("typed calls from an endpoint's contract", () => {
  it("sends the params, query and body, and answers the success body as the contract types it", async () => {
    const { api, calls } = await provider({ thing: (id) => ({ id, name: "chair", count: 2 }) });
    const thing = await api.getThing({ params: { id: ID }, query: { verbose: true } });
    expect(thing).toEqual({ id: ID, name: "chair", count: 2 });
    expect(calls.lastQuery).toEqual({ verbose: true });
    expect(await api.createThing({ body: { name: "table" } })).toMatchObject({ name: "table" });
    expect(calls.lastBody).toEqual({ name: "table" });
    expect(await api.forgetThing({ params: { id: ID } })).toBeNull();
  });

  it("turns a problem into a ServiceProblem with the provider's code, status, detail and extension members", async () => {
    const { api } = await provider({});
    const error = await api.getThing({ params: { id: ID } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceProblem);
    const problem = error as ServiceProblem;
    expect(problem).toMatchObject({ target: "demo", status: 409, code: "thing_not_found", detail: `No thing ${ID}.` });
    expect(problem.problem.hint).toBe(1);
    expect(isProblemOf(error, demo.getThing, "thing_not_found")).toBe(true);
    expect(isProblemOf(error, demo.touchThing, "thing_locked")).toBe(false);
    // A code the contract does not list is a compile error, not a silent mismatch.
    // @ts-expect-error: not one of getThing's codes
    isProblemOf(error, demo.getThing, "thing_missing");
    // An answer this caller does not count as a failure becomes undefined.
    expect(
      await api.getThing({ params: { id: ID } }).catch(ignoring(demo.getThing, "thing_not_found")),
    ).toBeUndefined();
  });

  it("reports the platform's own refusals with their code too (a body its schema refuses: validation_failed)", async () => {
    const { client } = await provider({});
    const error = await callEndpoint(client, demo.createThing, { body: { name: "" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "validation_failed" });
  });

  it("retries an idempotent endpoint after a 5xx, and never a plain POST that may have acted", async () => {
    const { api, calls } = await provider({
      onTouch: (n) => (n === 1 ? { status: 503 } : undefined),
      onCreate: () => ({ status: 503 }),
    });
    expect(await api.touchThing({ params: { id: ID } })).toMatchObject({ count: 2 });
    expect(calls.touch).toBe(2);

    await expect(api.createThing({ body: { name: "lamp" } })).rejects.toBeInstanceOf(UnavailableError);
    expect(calls.create).toBe(1);
  });

  it("retries a plain POST made safe by an idempotency key", async () => {
    const { client, calls } = await provider({ onCreate: (n) => (n === 1 ? { status: 502 } : undefined) });
    const created = await callEndpoint(client, demo.createThing, { body: { name: "desk" }, idempotencyKey: "k-1" });
    expect(created).toMatchObject({ name: "desk" });
    expect(calls.create).toBe(2);
  });

  it("gives up on an attempt after its timeout: a 503 UnavailableError naming the provider", async () => {
    const { api, calls } = await provider({ onTouch: () => ({ status: 200, delayMs: 1_000 }) });
    const error = await api.touchThing({ params: { id: ID } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).detail).toMatch(/demo .*no answer within 300 ms/);
    expect(calls.touch).toBe(3);
  });

  it("under tests, refuses a success body that does not match the contract (the provider drifted)", async () => {
    const { url, client } = await provider({ thing: (id) => ({ id, name: "chair", count: -1 }) });
    await expect(callEndpoint(client, demo.getThing, { params: { id: ID } })).rejects.toThrow(ContractViolation);
    const lenient = createServiceClient({ target: "demo", baseUrls: url, checkAnswers: false });
    expect(await callEndpoint(lenient, demo.getThing, { params: { id: ID } })).toMatchObject({ count: -1 });
  });
});

describe("a provider's routes checked against their contracts", () => {
  it("names each endpoint whose route drifted from its contract, and passes one that uses it", async () => {
    app = await createApp({ service: "demo", instance: "demo-1", logger: testLogger("demo") });
    const ok = async () => undefined;
    // Follows its contract.
    app.get(
      demo.getThing.path,
      { schema: { params: demo.getThing.params, querystring: demo.getThing.query, response: demo.getThing.responses } },
      ok,
    );
    // A body field the contract does not have, and a 200 it does not list.
    app.post(
      demo.createThing.path,
      {
        schema: {
          body: Type.Object({ name: Type.String({ minLength: 1 }), colour: Type.String() }),
          response: { ...demo.createThing.responses, 200: Thing },
        },
      },
      ok,
    );
    // Its answer lost a field.
    app.post(
      demo.touchThing.path,
      { schema: { params: demo.touchThing.params, response: { 200: Type.Object({ id: Id, name: Type.String() }) } } },
      ok,
    );
    expect(await contractMismatches(app, demo)).toEqual([
      "createThing (POST /api/demo/things): body differs",
      "createThing (POST /api/demo/things): answer 200 is not in the contract",
      "touchThing (POST /api/demo/things/:id/touch): answer 200 differs",
      "forgetThing (DELETE /api/demo/things/:id): no such route",
    ]);
  });
});
