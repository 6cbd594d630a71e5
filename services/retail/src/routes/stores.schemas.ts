import { Amount } from "@comptoir/contracts";
import { DateTime, ForbiddenError, Id, pageQuery, principalOf, type Principal, Type } from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import type { Actor } from "../model/access";
import { CashReasonSchema, Counted } from "../model/session";
import { Address, OpeningHours, RegisterView, StoreCode } from "../model/store";

export const IdParams = Type.Object({ id: Id });

/** The caller as retail's use cases see them (from the verified access token). */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal as Principal;
  return { userId: p.userId, role: p.role, permissions: p.permissions, storeId: p.storeId };
}

/** A route hook: staff only (admin, manager, clerk); a customer or a service token is a 403. */
export async function requireStaff(request: FastifyRequest): Promise<void> {
  const { role } = principalOf(request);
  if (role !== "admin" && role !== "manager" && role !== "clerk") {
    throw new ForbiddenError("Only staff see the stores.");
  }
}

const Phone = Type.String({ minLength: 3, maxLength: 40, pattern: "^[+0-9 ().-]+$" });
const Email = Type.String({ format: "email", maxLength: 254 });
const Name = Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" });
const Timezone = Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone, e.g. Europe/Paris" });

export const CreateStoreBody = Type.Object(
  {
    code: StoreCode,
    name: Name,
    address: Address,
    phone: Phone,
    email: Email,
    managerId: Type.Optional(Type.Union([Id, Type.Null()])),
    openingHours: OpeningHours,
    timezone: Timezone,
  },
  { additionalProperties: false },
);

export const UpdateStoreBody = Type.Object(
  {
    name: Type.Optional(Name),
    address: Type.Optional(Address),
    phone: Type.Optional(Phone),
    email: Type.Optional(Email),
    managerId: Type.Optional(Type.Union([Id, Type.Null()])),
    openingHours: Type.Optional(OpeningHours),
    timezone: Type.Optional(Timezone),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const StoreListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "part of the code or the name" })),
    ...pageQuery(),
  },
  { additionalProperties: false },
);

export const CreateRegisterBody = Type.Object(
  {
    code: Type.String({
      pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$",
      maxLength: 20,
      description: "unique in the store",
    }),
    name: Name,
  },
  { additionalProperties: false },
);

export const PageOnlyQuery = Type.Object(pageQuery(), { additionalProperties: false });

export const OpenBody = Type.Object(
  { openingFloat: Type.Integer({ minimum: 0, maximum: 10_000_000, description: "the cash float counted, in cents" }) },
  { additionalProperties: false },
);

export const CashMovementBody = Type.Object(
  {
    direction: Type.Union([Type.Literal("in"), Type.Literal("out")]),
    amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: "in cents" }),
    reason: CashReasonSchema,
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const CloseBody = Type.Object(
  { counted: Counted, note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
  { additionalProperties: false },
);

export const SessionListQuery = Type.Object(
  {
    storeId: Type.Optional(Id),
    registerId: Type.Optional(Id),
    cashierId: Type.Optional(Id),
    status: Type.Optional(Type.Union([Type.Literal("open"), Type.Literal("closed")])),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    flagged: Type.Optional(Type.Boolean({ description: "true: left open overnight" })),
    ...pageQuery(),
  },
  { additionalProperties: false },
);

export { Amount, RegisterView };
