import { type Db, NotFoundError } from "@comptoir/platform";
import * as repo from "../db/messages.repo";
import { assertRequeueable, type Message, type MessageStatus, type MessageSummary } from "../model/message";

export interface MessagesDeps {
  db: Db;
  /** A message was requeued: the sender may take it now. */
  wake(): void;
}

export interface ListMessagesQuery {
  to?: string;
  template?: string;
  status?: MessageStatus;
  page: number;
  limit: number;
}

const notFound = (id: string) => new NotFoundError("message_not_found", `No message with id ${id}.`);

/** A page of messages, newest first, without their bodies. */
export async function listMessages(
  deps: MessagesDeps,
  query: ListMessagesQuery,
): Promise<{ data: MessageSummary[]; pagination: { page: number; limit: number; total: number } }> {
  const { page, limit, ...filter } = query;
  const { data, total } = await repo.listMessages(deps.db, { ...filter, limit, offset: (page - 1) * limit });
  return { data, pagination: { page, limit, total } };
}

export async function getMessage(deps: MessagesDeps, id: string): Promise<Message> {
  const message = await repo.findMessage(deps.db, id);
  if (!message) throw notFound(id);
  return message;
}

/**
 * An admin sends a dead message again: back in the queue, due now, with a fresh set of attempts; the
 * sender is woken. 404 for an unknown message, 409 message_not_dead for one that is not dead.
 */
export async function retryMessage(deps: MessagesDeps, id: string): Promise<Message> {
  const requeued = await repo.requeueDead(deps.db, id);
  if (!requeued) {
    // The conditional update found no dead message: say why, from the message as it is now.
    assertRequeueable(await getMessage(deps, id));
    // Dead by now (a sender gave it up meanwhile): try once more.
    return retryMessage(deps, id);
  }
  deps.wake();
  return requeued;
}
