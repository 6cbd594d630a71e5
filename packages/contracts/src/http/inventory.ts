import { type Static, Type } from "typebox";
import { MovementType } from "../events/inventory.events";
import { endpoint } from "./endpoint";
import { DateTime, Id, IdList, IdParams, Nullable, Pagination, pageQuery } from "./schemas";

/** The most variants one availability check takes. */
export const MAX_AVAILABILITY_VARIANTS = 200;

/** Codes of a call made with an Idempotency-Key (the same key with another body; one still running). */
const KEYED = ["idempotency_key_reused", "idempotency_key_in_progress"] as const;

export const LocationKind = Type.Union([Type.Literal("central"), Type.Literal("store"), Type.Literal("online")]);

export const Location = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  kind: LocationKind,
  storeId: Nullable(Id),
  createdAt: DateTime,
});
export type Location = Static<typeof Location>;

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

export const Movement = Type.Object({
  id: Id,
  variantId: Id,
  locationId: Id,
  type: MovementType,
  quantity: Type.Integer({ description: "signed change of on hand" }),
  reason: Nullable(Type.String()),
  actorId: Nullable(Id),
  reference: Nullable(Type.String()),
  reservationId: Nullable(Id),
  transferId: Nullable(Id),
  createdAt: DateTime,
});

/** Where a reserved quantity is held: a line may be split over several locations. */
export const AllocationLine = Type.Object({ variantId: Id, locationId: Id, quantity: Type.Integer({ minimum: 1 }) });
export type AllocationLine = Static<typeof AllocationLine>;

export const ReservationStatus = Type.Union([
  Type.Literal("active"),
  Type.Literal("committed"),
  Type.Literal("released"),
  Type.Literal("expired"),
]);

export const Reservation = Type.Object({
  id: Id,
  reference: Type.String(),
  status: ReservationStatus,
  strategy: Type.Union([Type.Literal("split"), Type.Literal("single")]),
  locationId: Nullable(Id),
  expiresAt: DateTime,
  createdAt: DateTime,
  settledAt: Nullable(DateTime),
  lines: Type.Array(AllocationLine),
});
export type Reservation = Static<typeof Reservation>;

export const Item = Type.Object(
  { variantId: Id, quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
  { additionalProperties: false },
);
export type Item = Static<typeof Item>;

/** The caller's reference of a reservation or a transfer: the same one again gets the same answer. */
export const Reference = Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" });

export const Transfer = Type.Object({
  id: Id,
  reference: Type.String(),
  fromLocationId: Id,
  toLocationId: Id,
  reservationId: Nullable(Id),
  status: Type.Union([Type.Literal("completed"), Type.Literal("reversed")]),
  createdAt: DateTime,
  reversedAt: Nullable(DateTime),
  items: Type.Array(Type.Object({ variantId: Id, quantity: Type.Integer() })),
  movements: Type.Array(Movement),
});
export type Transfer = Static<typeof Transfer>;

/** What can still be bought of each variant (for cart); unknown variants: available 0, known false. */
export const availability = endpoint({
  method: "GET",
  path: "/api/inventory/availability",
  query: Type.Object(
    { variantIds: IdList(MAX_AVAILABILITY_VARIANTS, "variant"), locationId: Type.Optional(Id) },
    { additionalProperties: false },
  ),
  responses: {
    200: Type.Object({
      data: Type.Array(
        Type.Object({
          variantId: Id,
          available: Type.Integer({ minimum: 0 }),
          known: Type.Boolean({ description: "false: inventory does not know this variant" }),
        }),
      ),
    }),
  },
  errors: ["location_not_found", "location_forbidden"],
});

/**
 * The most a public availability tells of one variant at one place: a shop does not show its exact
 * stock to everyone (competitors, scrapers); `10` reads "10 or more".
 */
export const PUBLIC_AVAILABILITY_CAP = 10;

/** The low-stock line of the public status where the level has no threshold of its own (and online). */
export const DEFAULT_PUBLIC_LOW_STOCK = 3;

export const PublicStockStatus = Type.Union([Type.Literal("in_stock"), Type.Literal("low"), Type.Literal("out")]);
export type PublicStockStatus = Static<typeof PublicStockStatus>;

/** A variant's stock as the public sees it: a status and a capped count. */
export const PublicVariantStock = Type.Object({
  variantId: Id,
  status: PublicStockStatus,
  available: Type.Integer({
    minimum: 0,
    maximum: PUBLIC_AVAILABILITY_CAP,
    description: `onHand − reserved, capped at ${PUBLIC_AVAILABILITY_CAP} (${PUBLIC_AVAILABILITY_CAP}: that many or more)`,
  }),
  known: Type.Boolean({ description: "false: inventory does not know this variant (status out)" }),
});
export type PublicVariantStock = Static<typeof PublicVariantStock>;

export const StoreAvailability = Type.Object({
  locationId: Id,
  storeId: Nullable(Id),
  name: Type.String({ description: "the location's name (retail's store directory has the store's)" }),
  variants: Type.Array(PublicVariantStock),
});
export type StoreAvailability = Static<typeof StoreAvailability>;

/**
 * Anonymous: each variant's stock online (what an order without a pickup location can reserve, as
 * `availability` sums it) and at each store's location (click-and-collect), as a status and a count
 * capped at PUBLIC_AVAILABILITY_CAP.
 */
export const storeAvailability = endpoint({
  method: "GET",
  path: "/api/inventory/store-availability",
  query: Type.Object({ variantIds: IdList(MAX_AVAILABILITY_VARIANTS, "variant") }, { additionalProperties: false }),
  responses: {
    200: Type.Object({
      online: Type.Array(PublicVariantStock),
      stores: Type.Array(StoreAvailability, { description: "every store location, by name" }),
    }),
  },
});

export const listLocations = endpoint({
  method: "GET",
  path: "/api/inventory/locations",
  responses: { 200: Type.Object({ data: Type.Array(Location) }) },
});

/**
 * Opens a stock location (a store, a second warehouse): managers and admins, and retail's service
 * account for its stores. Idempotent: the same `id` (or, without one, the same `code`) with the same
 * fields answers 200 with the location as it is; a code, or a store, another location has is a 409.
 */
export const createLocation = endpoint({
  method: "POST",
  path: "/api/inventory/locations",
  body: Type.Object(
    {
      id: Type.Optional(
        Type.String({
          format: "uuid",
          maxLength: 36,
          description: "the caller's id of the location (without it, a new UUIDv7)",
        }),
      ),
      code: Type.String({
        pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
        maxLength: 40,
        description: "unique, e.g. STORE-4",
      }),
      name: Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" }),
      kind: LocationKind,
      storeId: Type.Optional(Nullable(Id)),
    },
    { additionalProperties: false },
  ),
  responses: { 200: Location, 201: Location },
  errors: ["location_code_taken", "location_store_taken", "location_id_taken", "location_store_not_a_store"],
  idempotent: true,
});

/** Every item or nothing; 200 with the same reservation for a reference already used. */
export const reserve = endpoint({
  method: "POST",
  path: "/api/inventory/reservations",
  body: Type.Object(
    {
      reference: Reference,
      items: Type.Array(Item, { minItems: 1, maxItems: 200 }),
      ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600, default: 900 })),
      locationId: Type.Optional(Id),
      strategy: Type.Optional(Type.Union([Type.Literal("split"), Type.Literal("single")])),
      commit: Type.Optional(
        Type.Boolean({
          description:
            "Commit it as it is made (a till sale: nothing to hold the stock for): the same availability check, " +
            "then the goods leave the shelf in the same transaction (status committed, reservation_commit movements).",
        }),
      ),
    },
    { additionalProperties: false },
  ),
  responses: { 200: Reservation, 201: Reservation },
  errors: [
    ...KEYED,
    "insufficient_stock",
    "reservation_reference_conflict",
    "variant_not_found",
    "location_not_found",
    "location_forbidden",
  ],
  idempotent: true,
});

const settle = (action: "commit" | "release") =>
  endpoint({
    method: "POST",
    path: `/api/inventory/reservations/:id/${action}`,
    params: IdParams,
    responses: { 200: Reservation },
    errors: [...KEYED, "reservation_not_found", "reservation_not_active", "location_forbidden"],
    idempotent: true,
  });
/** Turns a reservation into sales. */
export const commitReservation = settle("commit");
/** Frees a reservation's stock; 409 reservation_not_active once it is settled otherwise. */
export const releaseReservation = settle("release");

/** A receipt, sale, return or adjustment. */
export const adjustStock = endpoint({
  method: "POST",
  path: "/api/inventory/stock/adjust",
  body: Type.Object(
    {
      variantId: Id,
      locationId: Id,
      changeQuantity: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 }),
      type: Type.String({ minLength: 1, maxLength: 40 }),
      reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
      reference: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    },
    { additionalProperties: false },
  ),
  responses: { 201: Type.Object({ movement: Movement, newStockQuantity: Type.Integer(), level: Level }) },
  errors: [
    ...KEYED,
    "invalid_movement_type",
    "invalid_movement_quantity",
    "insufficient_stock",
    "variant_not_found",
    "location_not_found",
    "location_forbidden",
  ],
});

/** One level with both ids, a page of levels otherwise; 404 variant_not_found for a variant never heard of. */
export const getStock = endpoint({
  method: "GET",
  path: "/api/inventory/stock",
  query: Type.Object({ variantId: Type.Optional(Id), locationId: Type.Optional(Id), ...pageQuery() }),
  responses: {
    200: Type.Union([LevelView, Type.Object({ data: Type.Array(LevelView), pagination: Pagination })]),
  },
  errors: ["variant_not_found", "location_not_found", "location_forbidden"],
});

/** Moves stock between two locations in one transaction; idempotent by reference. */
export const transfer = endpoint({
  method: "POST",
  path: "/api/inventory/transfers",
  body: Type.Object(
    {
      reference: Reference,
      fromLocationId: Id,
      toLocationId: Id,
      items: Type.Array(Item, { minItems: 1, maxItems: 200 }),
      reservationId: Type.Optional(Id),
    },
    { additionalProperties: false },
  ),
  responses: { 200: Transfer, 201: Transfer },
  errors: [
    ...KEYED,
    "transfer_same_location",
    "transfer_reservation_mismatch",
    "reservation_not_found",
    "reservation_not_active",
    "insufficient_stock",
    "variant_not_found",
    "location_not_found",
    "location_forbidden",
  ],
  idempotent: true,
});

/** Compensates a transfer; reversing again answers the same. */
export const reverseTransfer = endpoint({
  method: "POST",
  path: "/api/inventory/transfers/:id/reverse",
  params: IdParams,
  responses: { 200: Transfer },
  errors: [...KEYED, "transfer_not_found", "insufficient_stock", "location_forbidden"],
  idempotent: true,
});

export const endpoints = {
  availability,
  storeAvailability,
  listLocations,
  createLocation,
  reserve,
  commitReservation,
  releaseReservation,
  adjustStock,
  getStock,
  transfer,
  reverseTransfer,
};
