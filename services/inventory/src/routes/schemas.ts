import { MovementType } from "@comptoir/contracts";
import { type Principal, Type, Id, Nullable, pageQuery, problemResponses, Pagination } from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import type { Actor } from "../domain/ledger";
import { scopeOf } from "../domain/locations";
import { DEFAULT_LIMIT, MAX_LIMIT } from "../domain/paging";

export { Id, Nullable, Pagination, problemResponses };

export const Params = Type.Object({ id: Id });

export const PageQuery = pageQuery({ max: MAX_LIMIT, default: DEFAULT_LIMIT });

export const Location = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal("central"), Type.Literal("store"), Type.Literal("online")]),
  storeId: Nullable(Id),
  createdAt: Type.String({ format: "date-time" }),
});

export const LevelFields = {
  variantId: Id,
  locationId: Id,
  onHand: Type.Integer({ minimum: 0 }),
  reserved: Type.Integer({ minimum: 0 }),
  available: Type.Integer({ minimum: 0, description: "onHand − reserved" }),
  lowStockThreshold: Nullable(Type.Integer({ minimum: 0 })),
};
export const Level = Type.Object(LevelFields);
export const LevelView = Type.Object({
  ...LevelFields,
  sku: Type.String(),
  productName: Type.String(),
  locationCode: Type.String(),
});

export const MovementTypeSchema = MovementType;
export const Movement = Type.Object({
  id: Id,
  variantId: Id,
  locationId: Id,
  type: MovementTypeSchema,
  quantity: Type.Integer({ description: "signed change of on hand" }),
  reason: Nullable(Type.String()),
  actorId: Nullable(Id),
  reference: Nullable(Type.String()),
  reservationId: Nullable(Id),
  transferId: Nullable(Id),
  createdAt: Type.String({ format: "date-time" }),
});

export const Line = Type.Object({ variantId: Id, locationId: Id, quantity: Type.Integer({ minimum: 1 }) });
export const Reservation = Type.Object({
  id: Id,
  reference: Type.String(),
  status: Type.Union([
    Type.Literal("active"),
    Type.Literal("committed"),
    Type.Literal("released"),
    Type.Literal("expired"),
  ]),
  strategy: Type.Union([Type.Literal("split"), Type.Literal("single")]),
  locationId: Nullable(Id),
  expiresAt: Type.String({ format: "date-time" }),
  createdAt: Type.String({ format: "date-time" }),
  settledAt: Nullable(Type.String({ format: "date-time" })),
  lines: Type.Array(Line),
});

export const Item = Type.Object(
  { variantId: Id, quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
  { additionalProperties: false },
);
export const Reference = Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" });

export const Transfer = Type.Object({
  id: Id,
  reference: Type.String(),
  fromLocationId: Id,
  toLocationId: Id,
  reservationId: Nullable(Id),
  status: Type.Union([Type.Literal("completed"), Type.Literal("reversed")]),
  createdAt: Type.String({ format: "date-time" }),
  reversedAt: Nullable(Type.String({ format: "date-time" })),
  items: Type.Array(Type.Object({ variantId: Id, quantity: Type.Integer() })),
  movements: Type.Array(Movement),
});

export const Alert = Type.Object({
  id: Id,
  variantId: Id,
  locationId: Id,
  status: Type.Union([Type.Literal("open"), Type.Literal("resolved")]),
  threshold: Type.Integer(),
  available: Type.Integer({ description: "available when the alert was raised" }),
  raisedAt: Type.String({ format: "date-time" }),
  resolvedAt: Nullable(Type.String({ format: "date-time" })),
  sku: Type.String(),
  productName: Type.String(),
});

/** The caller as the use cases see it: their id for the ledger, and the locations they may touch. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal as Principal;
  return { userId: principal.userId, scope: scopeOf(principal) };
}
