import { ConflictError } from "@comptoir/platform";

export const REQUEST_STATUSES = ["requested", "approved", "rejected", "completed", "failed"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface RequestLine {
  variantId: string;
  quantity: number;
}

export interface SupplyRequest {
  id: string;
  storeId: string;
  locationId: string;
  fromLocationId: string;
  status: RequestStatus;
  note: string | null;
  lines: RequestLine[];
  requestedBy: string;
  decidedBy: string | null;
  reason: string | null;
  createdAt: string;
  decidedAt: string | null;
  finishedAt: string | null;
}

/**
 * The request's life: requested → approved → completed | failed, or requested → rejected. Only a
 * pending request can be decided, only an approved one finishes; anything else is a 409.
 */
const NEXT: Record<RequestStatus, readonly RequestStatus[]> = {
  requested: ["approved", "rejected"],
  approved: ["completed", "failed"],
  rejected: [],
  completed: [],
  failed: [],
};

export function assertTransition(request: Pick<SupplyRequest, "id" | "status">, to: RequestStatus): void {
  if (NEXT[request.status].includes(to)) return;
  const decided = request.status !== "requested";
  throw new ConflictError(
    decided && (to === "approved" || to === "rejected") ? "request_already_decided" : "request_state_conflict",
    `Supply request ${request.id} is ${request.status}; it cannot become ${to}.`,
    { extensions: { requestStatus: request.status } },
  );
}

/** Lines for the same variant added up, in a stable order. */
/** The most units one line of a request may ask for (its table's CHECK says the same). */
export const MAX_LINE_QUANTITY = 100_000;

export function mergeLines(lines: RequestLine[]): RequestLine[] {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.variantId, (merged.get(l.variantId) ?? 0) + l.quantity);
  return [...merged]
    .map(([variantId, quantity]) => ({ variantId, quantity }))
    .sort((a, b) => (a.variantId < b.variantId ? -1 : 1));
}
