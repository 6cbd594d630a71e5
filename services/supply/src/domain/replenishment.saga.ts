import type { Outbox } from "@comptoir/events";
import type { Tx } from "@comptoir/platform";
import type { SagaDefinition } from "@comptoir/sagas";
import type { InventoryClient, Item } from "../clients/inventory.client";
import * as requests from "../db/requests.repo";
import { assertTransition } from "../model/request";
import { publishRequest } from "./requests.events";

export const REPLENISHMENT = "replenishment";

export interface ReplenishmentInput {
  requestId: string;
  fromLocationId: string;
  toLocationId: string;
  items: Item[];
}

export interface ReplenishmentDeps {
  inventory: InventoryClient;
  outbox: Outbox;
  /** How long the central warehouse holds the goods for the transfer (the last safety net if supply dies for good). */
  reservationTtlSeconds: number;
}

/**
 * The transfer of an approved request, central warehouse → store:
 * 1. reserve the items at the central warehouse (undo: release the reservation);
 * 2. transfer them to the store, consuming the reservation: out of central and into the store in
 *    one inventory transaction, so no stock is ever "in between" (undo: reverse the transfer);
 * then the request is completed, in the transaction that closes the saga. Both steps are keyed by
 * the request (`supply-<id>`), so running one again returns what it did the first time.
 */
export function replenishmentSaga(deps: ReplenishmentDeps): SagaDefinition<ReplenishmentInput> {
  const reference = (input: ReplenishmentInput) => `supply-${input.requestId}`;

  async function finish(tx: Tx, requestId: string, status: "completed" | "failed", reason: string | null) {
    const request = await requests.lockRequest(tx, requestId);
    if (!request) throw new Error(`supply request ${requestId} of a saga is missing`);
    assertTransition(request, status);
    const updated = await requests.updateStatus(tx, requestId, { status, reason });
    await publishRequest(tx, deps.outbox, updated);
  }

  return {
    kind: REPLENISHMENT,
    steps: [
      {
        name: "reserve",
        async run(input) {
          const reservation = await deps.inventory.reserve({
            reference: reference(input),
            locationId: input.fromLocationId,
            items: input.items,
            ttlSeconds: deps.reservationTtlSeconds,
          });
          return { reservationId: reservation.id };
        },
        async compensate(_input, output) {
          await deps.inventory.release((output as { reservationId: string }).reservationId);
        },
      },
      {
        name: "transfer",
        async run(input, outputs) {
          const { reservationId } = outputs.reserve as { reservationId: string };
          const transfer = await deps.inventory.transfer({
            reference: reference(input),
            fromLocationId: input.fromLocationId,
            toLocationId: input.toLocationId,
            items: input.items,
            reservationId,
          });
          return { transferId: transfer.id };
        },
        async compensate(_input, output) {
          await deps.inventory.reverseTransfer((output as { transferId: string }).transferId);
        },
      },
    ],
    onCompleted: (tx, saga) => finish(tx, saga.input.requestId, "completed", null),
    onFailed: (tx, saga, reason) => finish(tx, saga.input.requestId, "failed", reason.slice(0, 1000)),
  };
}
