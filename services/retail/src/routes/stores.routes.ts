import { IdParams, retailHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, Page, problemResponses, requirePermission, requireUser } from "@comptoir/platform";
import type { RetailContext } from "../domain/context";
import * as use from "../domain/stores.use-cases";
import { actorOf, requireStaff } from "./staff";

const { CreateRegisterRequest, CreateStoreRequest, PageOnlyQuery, Register, Store, UpdateStoreRequest } = retailHttp;

/** Stores and their registers (admin: every store; a manager or a clerk: their own, others are 404). */
export function storesRoutes(app: App, ctx: RetailContext): void {
  app.post(
    "/api/retail/stores",
    {
      onRequest: requirePermission("stores:manage"),
      schema: {
        ...bearerAuth,
        tags: ["stores"],
        summary: "Create a store and its stock location at inventory (stores:manage)",
        body: CreateStoreRequest,
        response: { 201: Store, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await use.createStore(ctx, request.body)),
  );

  app.get(
    "/api/retail/stores",
    {
      onRequest: [requireUser, requireStaff],
      schema: {
        ...bearerAuth,
        tags: ["stores"],
        summary: "Stores by code: every store for an admin, their own for a manager or a clerk",
        querystring: retailHttp.listStores.query,
        response: { ...retailHttp.listStores.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => use.listStores(ctx, actorOf(request), request.query),
  );

  app.get(
    "/api/retail/store-directory",
    {
      schema: {
        tags: ["stores"],
        summary: "Every store as the public sees it (anonymous: the shop's store directory)",
        description:
          "Name, address, phone, opening hours (local time of `timezone`) and the stock location (the " +
          "`pickupLocationId` of a click-and-collect checkout, and the store in inventory's store availability), " +
          "by code. No manager and no e-mail: those are the back office's.",
        response: { ...retailHttp.storeDirectory.responses },
      },
    },
    async (_request, reply) => {
      reply.header("cache-control", "public, max-age=60");
      return { data: await use.storeDirectory(ctx) };
    },
  );

  app.get(
    "/api/retail/stores/:id",
    {
      onRequest: [requireUser, requireStaff],
      schema: {
        ...bearerAuth,
        tags: ["stores"],
        summary: "A store (staff of that store, or an admin)",
        params: retailHttp.getStore.params,
        response: { ...retailHttp.getStore.responses, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.getStore(ctx, actorOf(request), request.params.id),
  );

  app.patch(
    "/api/retail/stores/:id",
    {
      onRequest: requirePermission("stores:manage"),
      schema: {
        ...bearerAuth,
        tags: ["stores"],
        summary: "Change a store's name, address, contacts, manager, hours or time zone (stores:manage)",
        params: IdParams,
        body: UpdateStoreRequest,
        response: { 200: Store, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.updateStore(ctx, actorOf(request), request.params.id, request.body),
  );

  app.post(
    "/api/retail/stores/:id/registers",
    {
      onRequest: [requireUser, requireStaff],
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "Add a cash register to a store (stores:manage, or the store's manager)",
        params: IdParams,
        body: CreateRegisterRequest,
        response: { 201: Register, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await use.createRegister(ctx, actorOf(request), request.params.id, request.body)),
  );

  app.get(
    "/api/retail/stores/:id/registers",
    {
      onRequest: [requireUser, requireStaff],
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "A store's registers by code",
        params: IdParams,
        querystring: PageOnlyQuery,
        response: { 200: Page(Register), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => use.listRegisters(ctx, actorOf(request), request.params.id, request.query),
  );
}
