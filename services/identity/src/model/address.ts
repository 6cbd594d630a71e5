import { InvalidError, type Static, Type } from "@comptoir/platform";

/** A postal address of a user (delivery or invoicing), as the API shows it. */
export const Address = Type.Object({
  id: Type.String({ format: "uuid" }),
  label: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  line1: Type.String(),
  line2: Type.Union([Type.String(), Type.Null()]),
  postalCode: Type.String(),
  city: Type.String(),
  /** ISO 3166-1 alpha-2, upper case. */
  country: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  defaultShipping: Type.Boolean(),
  defaultBilling: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});
export type Address = Static<typeof Address>;

/** What a user writes of an address. */
export type AddressFields = Omit<Address, "id" | "createdAt" | "updatedAt">;

/** More would be abuse, not a customer's address book. */
export const MAX_ADDRESSES_PER_USER = 20;

const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
/** Codes CLDR names that are not countries (unknown region, unions, pseudo-locales). */
const NOT_COUNTRIES = new Set(["ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"]);

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code (per the runtime's CLDR data). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  try {
    const name = regions.of(code);
    return name !== undefined && name !== code;
  } catch {
    return false;
  }
}

export function assertCountry(country: string | undefined): void {
  if (country === undefined || isCountryCode(country)) return;
  throw new InvalidError("invalid_country", `${country} is not an ISO 3166-1 alpha-2 country code.`, {
    errors: [{ in: "body", field: "country", message: "is not an ISO 3166-1 alpha-2 country code" }],
  });
}
