import { type FieldError, InvalidError, type Static, Type } from "@comptoir/platform";
import { DateTime, Id, Nullable } from "@comptoir/platform";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const Time = Type.String({ pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", description: "HH:MM, local time" });

export const OpeningInterval = Type.Object({ open: Time, close: Time }, { additionalProperties: false });
export type OpeningInterval = Static<typeof OpeningInterval>;

/** Each day's opening intervals, in the store's time zone; an empty list: closed that day. */
export const OpeningHours = Type.Object(
  Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Array(OpeningInterval, { maxItems: 4 })])) as Record<
    Weekday,
    ReturnType<typeof Type.Array<typeof OpeningInterval>>
  >,
  { additionalProperties: false },
);
export type OpeningHours = Static<typeof OpeningHours>;

export const Address = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    postalCode: Type.String({ minLength: 1, maxLength: 20, pattern: "\\S" }),
    city: Type.String({ minLength: 1, maxLength: 100, pattern: "\\S" }),
    country: Type.String({ pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2" }),
  },
  { additionalProperties: false },
);
export type Address = Static<typeof Address>;

export const StoreCode = Type.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
  maxLength: 40,
  description: "unique, e.g. STORE-4 (also the code of its stock location)",
});

export const StoreView = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  address: Address,
  phone: Type.String(),
  email: Type.String(),
  managerId: Nullable(Id),
  openingHours: OpeningHours,
  timezone: Type.String({ description: "IANA time zone, e.g. Europe/Paris" }),
  locationId: Id,
  createdAt: DateTime,
  updatedAt: DateTime,
});
/** A store, with the inventory location it sells from. */
export type Store = Static<typeof StoreView>;

export const RegisterView = Type.Object({
  id: Id,
  storeId: Id,
  code: Type.String(),
  name: Type.String(),
  createdAt: DateTime,
});
/** A cash register (a till) of a store. */
export type Register = Static<typeof RegisterView>;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name.includes("/") || name === "UTC";
  } catch {
    return false;
  }
}

/** What the schema cannot say of a store: an IANA time zone, intervals that close after they open and do not overlap. */
export function assertValidStoreFields(fields: { timezone?: string; openingHours?: OpeningHours }): void {
  const errors: FieldError[] = [];
  if (fields.timezone !== undefined && !isTimeZone(fields.timezone)) {
    errors.push({ in: "body", field: "timezone", message: "is not an IANA time zone (e.g. Europe/Paris)" });
  }
  for (const day of WEEKDAYS) {
    const intervals = fields.openingHours?.[day] ?? [];
    const sorted = [...intervals].sort((a, b) => a.open.localeCompare(b.open));
    sorted.forEach((interval, i) => {
      if (interval.close <= interval.open) {
        errors.push({ in: "body", field: `openingHours.${day}`, message: "closes before it opens" });
      } else if (i > 0 && interval.open < sorted[i - 1]!.close) {
        errors.push({ in: "body", field: `openingHours.${day}`, message: "has overlapping intervals" });
      }
    });
  }
  if (errors.length > 0) {
    throw new InvalidError("invalid_store", errors.map((e) => `${e.field} ${e.message}`).join("; "), { errors });
  }
}
