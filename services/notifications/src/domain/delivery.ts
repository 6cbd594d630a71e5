import type { Db, Logger } from "@comptoir/platform";
import * as repo from "../db/messages.repo";
import { isPermanentFailure, type Mailer } from "../mail/smtp.mailer";
import type { DeliveryMetrics } from "../metrics/delivery.metrics";
import { afterFailedSend, type RetryPolicy } from "../model/message";

export interface DeliverySettings extends RetryPolicy {
  /** How long a sender holds a message it is sending before another instance may try it. */
  claimMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  maxAttempts: 5,
  retryBaseMs: 30_000,
  retryMaxMs: 3_600_000,
  claimMs: 120_000,
};

export interface DeliveryDeps {
  db: Db;
  logger: Logger;
  /** SMTP when SMTP_URL is set; without one, messages go to the embedded mailbox. */
  mailer: Mailer | undefined;
  metrics: DeliveryMetrics;
  settings?: Partial<DeliverySettings>;
}

export interface Delivery {
  /** Delivers every message due now; returns how many were handled (whatever their outcome). */
  deliverDue(): Promise<number>;
  /** Runs deliverDue every `intervalMs`, and at once on wake(), until the returned stop is awaited. */
  startWorker(intervalMs: number): () => Promise<void>;
  /** New messages are waiting (a handler committed them, one was requeued): deliver them now. */
  wake(): void;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

/**
 * The sender. Every instance runs one: each message is claimed by one of them (SKIP LOCKED), sent,
 * and marked sent; a failed attempt is retried later with exponential backoff, and after
 * `maxAttempts` (or at once when the server refuses the recipient for good) the message is dead,
 * with its last error, until an admin requeues it. Without SMTP, "delivering" is keeping the
 * message readable in the embedded mailbox (status `stored`).
 */
export function createDelivery(deps: DeliveryDeps): Delivery {
  const settings = { ...DEFAULT_DELIVERY_SETTINGS, ...deps.settings };
  const log = deps.logger.child({ component: "mail-sender" });
  let wakeWorker: (() => void) | undefined;

  async function sendOne(message: repo.Outgoing, mailer: Mailer): Promise<void> {
    try {
      await mailer.send(message);
    } catch (error) {
      const attempts = message.attempts + 1;
      const reason = describe(error);
      const next = afterFailedSend(settings, attempts, isPermanentFailure(error));
      if (next.status === "dead") {
        await repo.markDead(deps.db, message.id, reason);
        deps.metrics.outcome(message.template, "dead");
        log.error({ messageId: message.id, template: message.template, attempts, err: error }, "mail given up: dead");
        return;
      }
      await repo.markRetry(deps.db, message.id, reason, next.retryInMs);
      deps.metrics.outcome(message.template, "retried");
      log.warn({ messageId: message.id, attempts, retryInMs: next.retryInMs, err: error }, "mail not sent: will retry");
      return;
    }
    await repo.markSent(deps.db, message.id);
    deps.metrics.outcome(message.template, "sent");
  }

  /** `stopping`: the worker is being stopped; leave what is left to the next round (or instance). */
  async function deliverDue(stopping: () => boolean = () => false): Promise<number> {
    const mailer = deps.mailer;
    let handled = 0;
    if (!mailer) {
      while (!stopping()) {
        const stored = await repo.storeDue(deps.db, 100);
        for (const m of stored) deps.metrics.outcome(m.template, "stored");
        handled += stored.length;
        if (stored.length < 100) break;
      }
      return handled;
    }
    // One at a time: each claim lasts for one send, however long the queue.
    while (!stopping()) {
      const message = await repo.claimNext(deps.db, settings.claimMs);
      if (!message) return handled;
      await sendOne(message, mailer);
      handled++;
    }
    return handled;
  }

  return {
    deliverDue: () => deliverDue(),
    wake: () => wakeWorker?.(),
    startWorker(intervalMs) {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> | undefined;
      let again = false;
      const run = () => {
        clearTimeout(timer);
        if (running) {
          again = true; // woken mid-round: go round once more, for what was just committed
          return;
        }
        running = (async () => {
          do {
            again = false;
            await deliverDue(() => stopped);
          } while (again && !stopped);
        })()
          .catch((error) => log.error({ err: error }, "mail sender round failed"))
          .finally(() => {
            running = undefined;
            if (!stopped) timer = setTimeout(run, intervalMs);
          });
      };
      wakeWorker = () => {
        if (!stopped) run();
      };
      run();
      return async () => {
        stopped = true;
        wakeWorker = undefined;
        clearTimeout(timer);
        await running;
      };
    },
  };
}
