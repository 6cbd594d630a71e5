import type { FastifyReply, FastifyRequest } from "fastify";
import Type from "typebox";
import { InvalidError } from "../errors/app-error";
import { type Problem, sendProblem, toProblem } from "../http/problem";
import type { Answer, IdempotentRequest } from "./idempotency";

/** A key: printable ASCII without spaces, 1 to 200 characters (a UUID, or any key a client makes up). */
export const IDEMPOTENCY_KEY_PATTERN = "^[\\x21-\\x7E]+$";
const KEY_LENGTH = { minLength: 1, maxLength: 200 };
const KEY = new RegExp(`^[\\x21-\\x7E]{${KEY_LENGTH.minLength},${KEY_LENGTH.maxLength}}$`);

/** The header, for a route's `headers` schema (spread it with the route's other headers). */
export const IdempotencyKeyHeader = {
  "idempotency-key": Type.Optional(
    Type.String({
      ...KEY_LENGTH,
      pattern: IDEMPOTENCY_KEY_PATTERN,
      description:
        "the same key and request again get the first answer (header Idempotent-Replayed: true); another request " +
        "under the same key is a 422 idempotency_key_reused",
    }),
  ),
};

/**
 * The request's Idempotency-Key: 400 idempotency_key_required without one when `required`, 400
 * invalid_idempotency_key when it is not 1-200 printable characters; undefined when optional and absent.
 */
export function idempotencyKeyOf(request: FastifyRequest, options: { required?: boolean } = {}): string | undefined {
  const header = request.headers["idempotency-key"];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || key === "") {
    if (!options.required) return undefined;
    throw new InvalidError("idempotency_key_required", "This request must carry an Idempotency-Key header.", {
      errors: [{ in: "headers", field: "idempotency-key", message: "is required" }],
    });
  }
  if (!KEY.test(key)) {
    throw new InvalidError(
      "invalid_idempotency_key",
      "An Idempotency-Key is 1 to 200 printable ASCII characters, without spaces.",
      { errors: [{ in: "headers", field: "idempotency-key", message: "is not a valid key" }] },
    );
  }
  return key;
}

/**
 * The call a use case runs through `once`: the request's Idempotency-Key (`idempotencyKeyOf`),
 * scoped to `actor` and `operation`; its result answered with `status`, a refusal with the problem
 * document the error plugin would have sent.
 */
export function idempotentRequest(
  request: FastifyRequest,
  options: { actor: string; operation: string; status: number; required?: boolean },
): IdempotentRequest {
  const key = idempotencyKeyOf(request, options);
  return {
    scope: key ? { actor: options.actor, operation: options.operation, key } : undefined,
    render: (outcome) =>
      "refusal" in outcome
        ? { status: outcome.refusal.status, body: toProblem(outcome.refusal, request) }
        : { status: options.status, body: outcome.result },
  };
}

/** Sends an answer as it was the first time; a replay says so (`Idempotent-Replayed: true`). */
export function sendAnswer(reply: FastifyReply, answer: Answer): FastifyReply {
  if (answer.replayed) reply.header("idempotent-replayed", "true");
  if (answer.status >= 400) {
    const problem = answer.body as Problem;
    reply.request.log.info(
      { code: problem.code, status: answer.status, replayed: answer.replayed },
      "request rejected",
    );
    return sendProblem(reply, problem);
  }
  return reply.code(answer.status).send(answer.body);
}
