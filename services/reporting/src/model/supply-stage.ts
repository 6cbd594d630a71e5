import type { Static } from "@comptoir/platform";
import type { SupplyRequestStatus } from "@comptoir/contracts";

export type SupplyStatus = Static<typeof SupplyRequestStatus>;

/**
 * How far a replenishment request has gone: requested (0), approved (1), then one of rejected, completed
 * or failed (2, final). The read model never moves a request back to an earlier stage, whatever order
 * its events arrive in: a `completed` handled before its `approved` leaves nothing on its way.
 */
export function supplyStage(status: SupplyStatus): number {
  switch (status) {
    case "requested":
      return 0;
    case "approved":
      return 1;
    case "rejected":
    case "completed":
    case "failed":
      return 2;
  }
}
