import { paymentsHttp } from "@comptoir/contracts/http";
import { type FieldError, InvalidError, type Static } from "@comptoir/platform";

/** A card as the client sends it. Never stored and never logged: only its brand and last four digits are. */
export const CardInput = paymentsHttp.Card;
export type CardInput = Static<typeof CardInput>;

export type CardBrand = Static<typeof paymentsHttp.Payment>["brand"];

/** What the service keeps of a card. */
export interface CardSummary {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** The Luhn (mod 10) check digit test. `digits` holds digits only. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card network from the number's prefix: 4 visa, 51-55 and 2221-2720 mastercard, 34/37 amex. */
export function brandOf(digits: string): CardBrand {
  if (digits.startsWith("4")) return "visa";
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return "mastercard";
  if (two === 34 || two === 37) return "amex";
  return "other";
}

/**
 * Checks a card before anything is stored or sent: 12 to 19 digits passing Luhn, a month 1-12, an
 * expiry month not yet over (a card is good through the end of its month, UTC), a 3-4 digit CVC.
 * Every problem is listed (400 `invalid_card`, one entry per field); messages never repeat the values.
 */
export function checkCard(card: CardInput, now: Date): CardSummary {
  const errors: FieldError[] = [];
  const field = (name: string, message: string) => errors.push({ in: "body", field: `card.${name}`, message });
  const digits = card.number;
  if (!/^[0-9]{12,19}$/.test(digits)) field("number", "must be 12 to 19 digits");
  else if (!luhnValid(digits)) field("number", "is not a valid card number (check digit)");
  const monthOk = Number.isInteger(card.expMonth) && card.expMonth >= 1 && card.expMonth <= 12;
  if (!monthOk) field("expMonth", "must be a month from 1 to 12");
  const yearOk = Number.isInteger(card.expYear) && card.expYear >= 2000 && card.expYear <= 2999;
  if (!yearOk) field("expYear", "must be a four-digit year");
  if (monthOk && yearOk) {
    const year = now.getUTCFullYear();
    const month = now.getUTCMonth() + 1;
    if (card.expYear < year || (card.expYear === year && card.expMonth < month)) {
      field("expYear", "the card has expired");
    }
  }
  if (!/^[0-9]{3,4}$/.test(card.cvc)) field("cvc", "must be 3 or 4 digits");
  if (errors.length > 0) {
    throw new InvalidError(
      "invalid_card",
      `The card is not valid: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}.`,
      {
        errors,
      },
    );
  }
  return { brand: brandOf(digits), last4: digits.slice(-4), expMonth: card.expMonth, expYear: card.expYear };
}
