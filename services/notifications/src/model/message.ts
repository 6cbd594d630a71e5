import { ConflictError, DateTime, Id, Nullable, type Static, Type } from "@comptoir/platform";

export const MessageStatus = Type.Union(
  [
    Type.Literal("queued"),
    Type.Literal("sent"),
    Type.Literal("stored"),
    Type.Literal("dead"),
    Type.Literal("superseded"),
  ],
  {
    description:
      "queued: waiting to be sent (or retried); sent: accepted by the SMTP server; stored: kept in the embedded " +
      "mailbox (no SMTP configured); dead: failed every attempt; superseded: a provisional mail replaced by a later one",
  },
);
export type MessageStatus = Static<typeof MessageStatus>;

const SummaryFields = {
  id: Id,
  eventId: Type.String({ format: "uuid", description: "the event it was written for" }),
  eventType: Type.String(),
  template: Type.String({ description: "the template it was written from" }),
  to: Type.String({ description: "the recipient's address" }),
  userId: Nullable(Id),
  language: Type.Union([Type.Literal("fr"), Type.Literal("en")]),
  subject: Type.String(),
  status: MessageStatus,
  attempts: Type.Integer({ description: "SMTP attempts made" }),
  lastError: Nullable(Type.String({ description: "why the last attempt failed" })),
  nextAttemptAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
  deliveredAt: Nullable(DateTime),
};

/** A message as the mailbox lists it: without its bodies. */
export const MessageSummary = Type.Object(SummaryFields);
export type MessageSummary = Static<typeof MessageSummary>;

/** A message as the API shows it. */
export const Message = Type.Object({
  ...SummaryFields,
  text: Type.String({ description: "the plain-text part" }),
  html: Type.String({ description: "the HTML part" }),
});
export type Message = Static<typeof Message>;

/**
 * A message's life: queued until it is delivered (sent by SMTP, or stored in the embedded mailbox),
 * given up (dead) or replaced by a later mail of its topic (superseded). Only a dead one moves again:
 * back to the queue, by an admin. The SQL that makes each move checks the same `from` state, so that
 * concurrent senders and admins cannot move one message twice.
 */
export const STATUS_MOVES: Readonly<Record<MessageStatus, readonly MessageStatus[]>> = {
  queued: ["sent", "stored", "dead", "superseded"],
  dead: ["queued"],
  sent: [],
  stored: [],
  superseded: [],
};

export function canMove(from: MessageStatus, to: MessageStatus): boolean {
  return STATUS_MOVES[from].includes(to);
}

/** An admin's retry: only a dead message goes back to the queue; any other is a 409 message_not_dead. */
export function assertRequeueable(message: Pick<Message, "id" | "status">): void {
  if (!canMove(message.status, "queued")) {
    throw new ConflictError(
      "message_not_dead",
      `Message ${message.id} is ${message.status}: only a dead message is retried.`,
    );
  }
}

/** How a failed send is retried. */
export interface RetryPolicy {
  /** Send attempts before a message is dead. */
  maxAttempts: number;
  /** Delay before the second attempt; doubled at each further one, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
}

/** The delay before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelay(policy: Pick<RetryPolicy, "retryBaseMs" | "retryMaxMs">, attempts: number): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * What becomes of a queued message whose send just failed, `attempts` counting this one: dead after
 * the last attempt, or at once when the server refused it for good; else queued for a later attempt.
 */
export function afterFailedSend(
  policy: RetryPolicy,
  attempts: number,
  permanent: boolean,
): { status: "dead" } | { status: "queued"; retryInMs: number } {
  if (attempts >= policy.maxAttempts || permanent) return { status: "dead" };
  return { status: "queued", retryInMs: retryDelay(policy, attempts) };
}
