import type { Outbox } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import type { SupplyRequest } from "../model/request";

/** Publishes the request's current state as `supply.request.<status>` (created for a new one). */
export async function publishRequest(tx: Queryable, outbox: Outbox, r: SupplyRequest): Promise<void> {
  const data = {
    requestId: r.id,
    storeId: r.storeId,
    locationId: r.locationId,
    fromLocationId: r.fromLocationId,
    lines: r.lines,
    note: r.note,
    requestedBy: r.requestedBy,
    decidedBy: r.decidedBy,
    reason: r.reason,
  };
  const subject = r.id;
  switch (r.status) {
    case "requested":
      await outbox.publish(tx, { type: "supply.request.created", subject, data: { ...data, status: "requested" } });
      return;
    case "approved":
      await outbox.publish(tx, {
        type: "supply.request.approved",
        subject,
        data: { ...data, status: "approved", decidedBy: r.decidedBy! },
      });
      return;
    case "rejected":
      await outbox.publish(tx, {
        type: "supply.request.rejected",
        subject,
        data: { ...data, status: "rejected", decidedBy: r.decidedBy!, reason: r.reason! },
      });
      return;
    case "completed":
      await outbox.publish(tx, {
        type: "supply.request.completed",
        subject,
        data: { ...data, status: "completed", decidedBy: r.decidedBy! },
      });
      return;
    case "failed":
      await outbox.publish(tx, {
        type: "supply.request.failed",
        subject,
        data: { ...data, status: "failed", decidedBy: r.decidedBy!, reason: r.reason! },
      });
  }
}
