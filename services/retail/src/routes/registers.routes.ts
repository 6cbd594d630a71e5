import { IdParams, retailHttp } from "@comptoir/contracts/http";
import { type App, bearerAuth, problemResponses, requirePermission, requireUser } from "@comptoir/platform";
import type { RetailContext } from "../domain/context";
import * as sessions from "../domain/sessions.use-cases";
import * as stores from "../domain/stores.use-cases";
import { actorOf, requireStaff } from "./staff";

const {
  CashMovement,
  CashMovementRequest,
  CloseSessionRequest,
  OpenSessionRequest,
  RegisterWithSession,
  Session,
  SessionReport,
} = retailHttp;

/** Registers and their cash sessions: open, cash in and out, X report, close (Z report); sessions' history. */
export function registersRoutes(app: App, ctx: RetailContext): void {
  app.get(
    "/api/retail/registers/:id",
    {
      onRequest: [requireUser, requireStaff],
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "A register, with its open session (null when closed)",
        params: IdParams,
        response: {
          200: RegisterWithSession,
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => stores.getRegisterView(ctx, actorOf(request), request.params.id),
  );

  app.post(
    "/api/retail/registers/:id/open",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "Open a cash session with the float counted (sales:create, staff of the store)",
        params: IdParams,
        body: OpenSessionRequest,
        response: { 201: Session, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await sessions.openSession(ctx, actorOf(request), request.params.id, request.body)),
  );

  app.post(
    "/api/retail/registers/:id/cash-movements",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "Put cash into, or take it out of, the drawer of the open session, with a reason",
        params: IdParams,
        body: CashMovementRequest,
        response: { 201: CashMovement, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await sessions.addCashMovement(ctx, actorOf(request), request.params.id, request.body)),
  );

  app.get(
    "/api/retail/registers/:id/x-report",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "The X report: the open session's running totals (not final)",
        params: IdParams,
        response: { 200: SessionReport, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => sessions.xReport(ctx, actorOf(request), request.params.id),
  );

  app.post(
    "/api/retail/registers/:id/close",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary:
          "Close the open session with the cash counted per denomination (cents): expected, counted, variance and the Z report",
        description:
          "409 register_not_open when no session is open (closing twice included); 409 session_busy while a return " +
          "or a void of the session is still under way (close again once it is done).",
        params: IdParams,
        body: CloseSessionRequest,
        response: { 200: Session, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => sessions.closeSession(ctx, actorOf(request), request.params.id, request.body),
  );

  app.get(
    "/api/retail/sessions",
    {
      onRequest: [requireUser, requireStaff],
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "Cash sessions, newest first (admin: every store; staff: their own), filtered",
        querystring: retailHttp.listSessions.query,
        response: { ...retailHttp.listSessions.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => sessions.listSessions(ctx, actorOf(request), request.query),
  );

  app.get(
    "/api/retail/sessions/:id",
    {
      onRequest: [requireUser, requireStaff],
      schema: {
        ...bearerAuth,
        tags: ["registers"],
        summary: "A cash session, with its Z report once closed",
        params: retailHttp.getSession.params,
        response: { ...retailHttp.getSession.responses, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => sessions.getSession(ctx, actorOf(request), request.params.id),
  );
}
