import { Type } from "typebox";
import { Nullable, Quantity, Reason, Uuid } from "./common";
import { defineEvent } from "./define";

export const SupplyRequestStatus = Type.Union([
  Type.Literal("requested"),
  Type.Literal("approved"),
  Type.Literal("rejected"),
  Type.Literal("completed"),
  Type.Literal("failed"),
]);

export const SupplyLine = Type.Object({
  variantId: Uuid,
  quantity: Quantity,
});

/** A replenishment request: a store asks the central warehouse for quantities of variants. */
const requestFields = {
  requestId: Uuid,
  storeId: Uuid,
  /** The store's stock location, where the goods go. */
  locationId: Uuid,
  /** The central warehouse's location, where they come from. */
  fromLocationId: Uuid,
  lines: Type.Array(SupplyLine, { minItems: 1 }),
  note: Nullable(Type.String()),
  requestedBy: Uuid,
  /** The manager who approved or rejected it; null until decided. */
  decidedBy: Nullable(Uuid),
  /** Why it was rejected or why it failed; null otherwise. */
  reason: Nullable(Reason),
  status: SupplyRequestStatus,
};

export const SupplyRequestSnapshot = Type.Object(requestFields);

export const supplyEvents = {
  "supply.request.created": defineEvent({
    version: 1,
    subject: "supply request id",
    description: "A store asked the central warehouse for stock; the request awaits a manager's decision.",
    data: Type.Object({ ...requestFields, status: Type.Literal("requested") }),
  }),
  "supply.request.approved": defineEvent({
    version: 1,
    subject: "supply request id",
    description: "A manager approved a request; the transfer from the central warehouse starts.",
    data: Type.Object({ ...requestFields, status: Type.Literal("approved"), decidedBy: Uuid }),
  }),
  "supply.request.rejected": defineEvent({
    version: 1,
    subject: "supply request id",
    description: "A manager rejected a request, with a mandatory reason.",
    data: Type.Object({ ...requestFields, status: Type.Literal("rejected"), decidedBy: Uuid, reason: Reason }),
  }),
  "supply.request.completed": defineEvent({
    version: 1,
    subject: "supply request id",
    description: "The transfer of an approved request is done: the goods are in the store's stock.",
    data: Type.Object({ ...requestFields, status: Type.Literal("completed"), decidedBy: Uuid }),
  }),
  "supply.request.failed": defineEvent({
    version: 1,
    subject: "supply request id",
    description: "The transfer of an approved request failed and was compensated; reason says which step failed.",
    data: Type.Object({ ...requestFields, status: Type.Literal("failed"), decidedBy: Uuid, reason: Reason }),
  }),
};
