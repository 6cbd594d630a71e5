import { type TSchema, Type } from "typebox";

/**
 * Small schemas every event payload is built from, so that an id, an amount or a time means the
 * same thing in every stream.
 */

/** `schema` or `null`: the field is always present, possibly empty. */
export function Nullable<S extends TSchema>(schema: S) {
  return Type.Union([schema, Type.Null()]);
}

/** An entity id (UUID, v7 when minted by Comptoir). */
export const Uuid = Type.String({ format: "uuid", maxLength: 36 });

/** An instant, ISO 8601 with offset (`2025-03-01T09:30:00.000Z`). */
export const DateTime = Type.String({ format: "date-time" });

/** ISO 4217 currency code (`EUR`). Always next to the amounts it applies to. */
export const CurrencyCode = Type.String({ pattern: "^[A-Z]{3}$" });

/** An amount of money: integer minor units, 0 to MAX_AMOUNT (../money.ts, the caps every service uses). */
export { Amount } from "../money";

/** A signed amount in minor units (a variance, a difference). */
export const SignedAmount = Type.Integer();

/** A number of units on a line: a whole, positive number. */
export const Quantity = Type.Integer({ minimum: 1 });

/** A stock level: a whole number, never negative. */
export const StockLevel = Type.Integer({ minimum: 0 });

export const Email = Type.String({ format: "email" });

/** The language a person reads Comptoir in: e-mails are written in it. */
export const Language = Type.Union([Type.Literal("fr"), Type.Literal("en")]);

/** A stock-keeping unit, unique per variant. */
export const Sku = Type.String({ minLength: 1 });

/** A mandatory free-text reason (a rejection, a failure). */
export const Reason = Type.String({ minLength: 1 });
