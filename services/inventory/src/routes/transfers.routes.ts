import { inventoryHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, requirePermission } from "@comptoir/platform";
import type { InventoryDeps } from "../domain/ledger";
import * as transfers from "../domain/transfers.use-cases";
import { actorOf, Params, Transfer, problemResponses } from "./schemas";

/** Transfers between locations, for the supply saga (internal: stock:adjust). */
export function transfersRoutes(app: App, deps: InventoryDeps): void {
  const canAdjust = requirePermission("stock:adjust");

  app.post(
    "/api/inventory/transfers",
    {
      onRequest: canAdjust,
      schema: {
        ...bearerAuth,
        tags: ["transfers"],
        summary: "Move stock between two locations in one transaction (stock:adjust); idempotent by reference",
        body: inventoryHttp.transfer.body,
        response: { ...inventoryHttp.transfer.responses, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { transfer, created } = await transfers.transferStock(deps, actorOf(request), request.body);
      return reply.code(created ? 201 : 200).send(transfer);
    },
  );

  app.get(
    "/api/inventory/transfers/:id",
    {
      onRequest: requirePermission("stock:read"),
      schema: {
        ...bearerAuth,
        tags: ["transfers"],
        summary: "A transfer and its movements (stock:read)",
        params: Params,
        response: { 200: Transfer, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => transfers.getTransfer(deps, actorOf(request), request.params.id),
  );

  app.post(
    "/api/inventory/transfers/:id/reverse",
    {
      onRequest: canAdjust,
      schema: {
        ...bearerAuth,
        tags: ["transfers"],
        summary: "Compensate a transfer (stock:adjust); idempotent",
        params: inventoryHttp.reverseTransfer.params,
        response: { ...inventoryHttp.reverseTransfer.responses, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => transfers.reverseTransfer(deps, actorOf(request), request.params.id),
  );
}
