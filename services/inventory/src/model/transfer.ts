import { inventoryHttp } from "@comptoir/contracts/http";
import { ConflictError, InvalidError, NotFoundError, type Static } from "@comptoir/platform";

/** A transfer with the movements it made (inventory's HTTP contract). */
export const TransferView = inventoryHttp.Transfer;
export type TransferView = Static<typeof TransferView>;

/** A transfer as it is stored: its movements are in the ledger. */
export type Transfer = Omit<TransferView, "movements">;

export const transferNotFound = (id: string) => new NotFoundError("transfer_not_found", `No transfer with id ${id}.`);

/** A transfer needs two different locations (400 transfer_same_location). */
export function assertTwoLocations(fromLocationId: string, toLocationId: string): void {
  if (fromLocationId === toLocationId) {
    throw new InvalidError("transfer_same_location", "A transfer needs two different locations.", {
      errors: [{ in: "body", field: "toLocationId", message: "must differ from fromLocationId" }],
    });
  }
}

/**
 * A transfer is `completed` until the supply saga's undo reverses it (final): reversing again
 * answers it as it is (`already`).
 */
export function planReverse(t: Pick<Transfer, "status">): { already: boolean } {
  return { already: t.status === "reversed" };
}

export const reservationMismatch = () =>
  new ConflictError(
    "transfer_reservation_mismatch",
    "The reservation does not hold exactly these items at the source location.",
  );
