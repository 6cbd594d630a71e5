import { ConflictError, DateTime, Id, InvalidError, Nullable, type Static, Type } from "@comptoir/platform";

/** The most units one line of a request may ask for (its table's CHECK says the same). */
export const MAX_LINE_QUANTITY = 100_000;

export const RequestStatus = Type.Union([
  Type.Literal("requested"),
  Type.Literal("approved"),
  Type.Literal("rejected"),
  Type.Literal("completed"),
  Type.Literal("failed"),
]);
export type RequestStatus = Static<typeof RequestStatus>;

export const RequestLine = Type.Object(
  { variantId: Id, quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }) },
  { additionalProperties: false },
);
export type RequestLine = Static<typeof RequestLine>;

/** What a store sends to ask for stock. */
export const NewRequest = Type.Object(
  {
    locationId: Id,
    items: Type.Array(RequestLine, { minItems: 1, maxItems: 100 }),
    note: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  },
  { additionalProperties: false },
);
export type NewRequest = Static<typeof NewRequest>;

const RequestFields = {
  id: Id,
  storeId: Id,
  locationId: Type.String({ format: "uuid", description: "the store's stock location: where the goods go" }),
  fromLocationId: Type.String({ format: "uuid", description: "the central warehouse's location" }),
  status: RequestStatus,
  note: Nullable(Type.String()),
  lines: Type.Array(RequestLine),
  requestedBy: Id,
  decidedBy: Nullable(Id),
  reason: Nullable(Type.String({ description: "why it was rejected, or why its transfer failed" })),
  createdAt: DateTime,
  decidedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
};

/** A replenishment request: a store asks the central warehouse for quantities of variants. */
export const SupplyRequest = Type.Object(RequestFields);
export type SupplyRequest = Static<typeof SupplyRequest>;

/** One entry of the transfer saga's history (the sagas package's SagaHistoryEntry, as the API shows it). */
export const TransferStep = Type.Object({
  step: Type.String(),
  action: Type.Union([Type.Literal("run"), Type.Literal("compensate")]),
  outcome: Type.Union([Type.Literal("done"), Type.Literal("failed"), Type.Literal("retry"), Type.Literal("skipped")]),
  detail: Nullable(Type.String()),
  at: DateTime,
});

/** A request with what its transfer saga did, in order (empty until approval). */
export const RequestView = Type.Object({
  ...RequestFields,
  history: Type.Array(TransferStep, { description: "what the transfer saga did, in order" }),
});
export type RequestView = Static<typeof RequestView>;

/**
 * The request's life: requested → approved → completed | failed, or requested → rejected. Only a
 * pending request can be decided, only an approved one finishes; the others are final.
 */
export const STATUS_MOVES: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  requested: ["approved", "rejected"],
  approved: ["completed", "failed"],
  rejected: [],
  completed: [],
  failed: [],
};

export function canMove(from: RequestStatus, to: RequestStatus): boolean {
  return STATUS_MOVES[from].includes(to);
}

/**
 * Guards a move of the request to `to`: any move its life does not allow is a 409,
 * request_already_decided for a decision on a request that is no longer pending.
 */
export function assertTransition(request: Pick<SupplyRequest, "id" | "status">, to: RequestStatus): void {
  if (canMove(request.status, to)) return;
  const decided = request.status !== "requested";
  throw new ConflictError(
    decided && (to === "approved" || to === "rejected") ? "request_already_decided" : "request_state_conflict",
    `Supply request ${request.id} is ${request.status}; it cannot become ${to}.`,
    { extensions: { requestStatus: request.status } },
  );
}

/** Lines for the same variant added up, in a stable order. */
export function mergeLines(lines: readonly RequestLine[]): RequestLine[] {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.variantId, (merged.get(l.variantId) ?? 0) + l.quantity);
  return [...merged]
    .map(([variantId, quantity]) => ({ variantId, quantity }))
    .sort((a, b) => (a.variantId < b.variantId ? -1 : 1));
}

/**
 * The lines a request is made of: those of one variant merged, whose sum obeys the same bound as a
 * single line (400 validation_failed otherwise).
 */
export function requestLinesOf(items: readonly RequestLine[]): RequestLine[] {
  const lines = mergeLines(items);
  const tooMany = lines.find((l) => l.quantity > MAX_LINE_QUANTITY);
  if (tooMany) {
    throw new InvalidError(
      "validation_failed",
      `The lines of variant ${tooMany.variantId} add up to ${tooMany.quantity} units; a request asks for at most ${MAX_LINE_QUANTITY} of one variant.`,
      {
        errors: [
          { in: "body", field: "items", message: `must ask for at most ${MAX_LINE_QUANTITY} units of a variant` },
        ],
      },
    );
  }
  return lines;
}
