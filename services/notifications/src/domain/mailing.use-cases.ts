import type { EventData } from "@comptoir/contracts";
import { newId, type Tx } from "@comptoir/platform";
import * as directory from "../db/directory.repo";
import * as messages from "../db/messages.repo";
import { render } from "../templates";
import { lowStockMails, type MailPlan, PROVISIONAL_TEMPLATES, type SupplyEventType, supplyMails } from "./mails";

export interface MailingDeps {
  /** How long a provisional mail waits for the fact that would replace it (ms). */
  holdMs: number;
  /** Wakes the sender once `tx` has committed (see app.ts). */
  wakeAfterCommit(tx: Tx): void;
}

/**
 * Renders a plan's mails and queues them (status `queued`) in the handler's transaction, replacing
 * the provisional mails of its topic when it supersedes them. Nothing is written for an event whose
 * mails were decided before (a replay); a mail that is not provisional wakes the sender after the commit.
 */
export async function queueMails(
  deps: MailingDeps,
  tx: Tx,
  event: { id: string; type: string },
  plan: MailPlan,
): Promise<void> {
  const mails = plan.mails.map((mail) => ({
    id: newId(),
    eventId: event.id,
    eventType: event.type,
    template: mail.template,
    to: mail.to,
    userId: mail.userId,
    language: mail.language,
    ...render(mail.template, mail.language, mail.data as never),
    topic: plan.topic,
    holdMs: plan.provisional ? deps.holdMs : 0,
  }));
  const supersede = plan.supersedes && plan.topic ? { topic: plan.topic, templates: PROVISIONAL_TEMPLATES } : undefined;
  const queued = await messages.queueMails(tx, event, mails, supersede);
  if (queued && !plan.provisional) deps.wakeAfterCommit(tx);
}

/**
 * The low-stock mails of an alert, to the store's active managers, or the admins (lowStockMails);
 * undefined while the directory knows nobody to tell.
 */
export async function lowStockPlan(tx: Tx, alert: EventData<"inventory.alert.raised">): Promise<MailPlan | undefined> {
  const managers = alert.storeId ? await directory.activeStaff(tx, "manager", alert.storeId) : [];
  const admins = managers.length > 0 ? [] : await directory.activeStaff(tx, "admin");
  if (managers.length === 0 && admins.length === 0) return undefined;
  return lowStockMails(alert, managers, admins);
}

/**
 * The mail of a decision on a replenishment request, its lines named from the directory's variants
 * (supplyMails); undefined while the directory does not know the requester.
 */
export async function supplyPlan(
  tx: Tx,
  type: SupplyEventType,
  request: EventData<SupplyEventType>,
): Promise<MailPlan | undefined> {
  const people = await directory.findUsers(tx, [
    request.requestedBy,
    ...(request.decidedBy ? [request.decidedBy] : []),
  ]);
  const requester = people.find((p) => p.id === request.requestedBy);
  if (!requester) return undefined;
  const decider = people.find((p) => p.id === request.decidedBy);
  const known = new Map(
    (
      await directory.findVariants(
        tx,
        request.lines.map((l) => l.variantId),
      )
    ).map((v) => [v.id, v]),
  );
  const lines = request.lines.map((l) => {
    const v = known.get(l.variantId);
    return {
      variantId: l.variantId,
      quantity: l.quantity,
      productName: v?.productName ?? null,
      options: v?.options ?? "",
      sku: v?.sku ?? null,
    };
  });
  return supplyMails(type, request, requester, decider, lines);
}
