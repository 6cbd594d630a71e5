import { type Static, Type } from "typebox";
import { endpoint } from "./endpoint";
import { CsvFormat, Day } from "./reporting";
import { Nullable } from "./schemas";

/**
 * Reporting's online conversion funnel (issue 20): per day of the online channel's time zone
 * (REPORTING_ONLINE_TIMEZONE), carts created, carts filled, checkouts started and orders paid, and the
 * rates between them. Each count is of events of that day: rates compare the counts of the same day
 * (or period), not the fate of one day's carts (a cohort), so a day's rate may exceed 1 (carts filled
 * the day before, paid today); over longer periods they come close to the cohort's.
 */

const day = (description: string) =>
  Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", maxLength: 10, description });

const rate = (description: string) =>
  Nullable(Type.Number({ minimum: 0, description: `${description}; 4 decimals; null when the divisor is 0` }));

/** The funnel's counts and rates, of one day or of the whole period (`totals`). */
export const ConversionFigures = Type.Object({
  cartsCreated: Type.Integer({ minimum: 0, description: "carts that came into existence (cart.cart.created)" }),
  cartsFilled: Type.Integer({
    minimum: 0,
    description: "carts that held an item for the first time (cart.cart.filled; once per cart)",
  }),
  checkoutsStarted: Type.Integer({
    minimum: 0,
    description: "checkouts of a non-empty cart accepted (orders.checkout.started), failed ones included",
  }),
  ordersPaid: Type.Integer({
    minimum: 0,
    description:
      "online orders paid (orders.order.paid, on the payment's day): the online channel's transactions in the " +
      "sales model; an order later refunded or cancelled still counts",
  }),
  fillRate: rate("cartsFilled ÷ cartsCreated"),
  checkoutRate: rate("checkoutsStarted ÷ cartsFilled"),
  paymentRate: rate("ordersPaid ÷ checkoutsStarted"),
  conversionRate: rate("ordersPaid ÷ cartsCreated"),
  abandonmentRate: Nullable(
    Type.Number({
      description:
        "cart abandonment: 1 − ordersPaid ÷ cartsFilled, the share of filled carts that did not end in a paid " +
        "order; 4 decimals; null when no cart was filled; below 0 when more orders were paid than carts filled " +
        "(carts filled earlier)",
    }),
  ),
});
export type ConversionFigures = Static<typeof ConversionFigures>;

export const ConversionDay = Type.Object({
  day: day("a day of the online channel's time zone, YYYY-MM-DD"),
  ...ConversionFigures.properties,
});
export type ConversionDay = Static<typeof ConversionDay>;

export const ConversionReport = Type.Object({
  from: Day,
  to: Day,
  timeZone: Type.String({ description: "the online channel's time zone, whose days these are" }),
  data: Type.Array(ConversionDay, { description: "every day of the period, in order, days without events at 0" }),
  totals: ConversionFigures,
});
export type ConversionReport = Static<typeof ConversionReport>;

export const ConversionQuery = Type.Object(
  {
    from: day("first day, YYYY-MM-DD, in the online channel's time zone"),
    to: day("last day, YYYY-MM-DD, included (at most 1,098 days from `from`)"),
    ...CsvFormat,
  },
  { additionalProperties: false },
);
export type ConversionQuery = Static<typeof ConversionQuery>;

/**
 * `GET /api/reporting/conversion` (reports:read): the online channel belongs to no store, so only a caller
 * who reads every channel (an admin) reads it; a manager is refused (403).
 */
export const conversionReport = endpoint({
  method: "GET",
  path: "/api/reporting/conversion",
  query: ConversionQuery,
  responses: { 200: ConversionReport },
  errors: ["invalid_period"],
});

export const endpoints = { conversionReport };
