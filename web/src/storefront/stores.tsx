import { useQuery } from "@tanstack/react-query";
import { api, type ServicePaths, unwrap } from "../app/api/client";
import { type MessageKey, useI18n } from "../app/i18n/i18n";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

/** A store as the public directory gives it (retail's `GET /api/retail/store-directory`). */
export type PublicStore = Json<
  ServicePaths["retail"]["/api/retail/store-directory"]["get"]["responses"][200]
>["data"][number];
type StockAnswer = Json<ServicePaths["inventory"]["/api/inventory/store-availability"]["get"]["responses"][200]>;
/** A variant's stock as the public sees it: a status and a count capped at PUBLIC_CAP. */
export type PublicStock = StockAnswer["online"][number];

/** Inventory caps the public count (PUBLIC_AVAILABILITY_CAP): `10` reads "10 or more". */
export const PUBLIC_CAP = 10;

/** Every store (name, address, hours, stock location), kept for the visit: stores seldom change. */
export function useStoreDirectory() {
  return useQuery({
    queryKey: ["store-directory"],
    queryFn: async () => unwrap(await api.retail.GET("/api/retail/store-directory")).data,
    staleTime: 5 * 60_000,
  });
}

/** The variants' stock online and in each store (inventory, anonymous), asked for all of them at once. */
export function useStoreStock(variantIds: readonly string[], enabled = true) {
  const ids = [...new Set(variantIds)].sort();
  return useQuery({
    queryKey: ["store-stock", ids],
    enabled: enabled && ids.length > 0,
    queryFn: async () =>
      unwrap(
        await api.inventory.GET("/api/inventory/store-availability", {
          params: { query: { variantIds: ids.join(",") } },
        }),
      ),
  });
}

/** The stores of the directory with each one's stock of the variants (by stock location), by name. */
export function storesWithStock(
  directory: readonly PublicStore[] | undefined,
  stock: StockAnswer | undefined,
): { store: PublicStore; stock: PublicStock[] }[] {
  const byLocation = new Map((stock?.stores ?? []).map((s) => [s.locationId, s.variants]));
  return [...(directory ?? [])]
    .map((store) => ({ store, stock: byLocation.get(store.locationId) ?? [] }))
    .sort((a, b) => a.store.name.localeCompare(b.store.name));
}

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** Today's weekday in the store's own time zone (its opening hours are in its local time). */
function weekdayIn(timezone: string, now: Date): (typeof WEEKDAYS)[number] {
  try {
    const name = new Intl.DateTimeFormat("en-US", { weekday: "short", timeZone: timezone }).format(now);
    return name.slice(0, 3).toLowerCase() as (typeof WEEKDAYS)[number];
  } catch {
    return WEEKDAYS[now.getDay()]!;
  }
}

/** The store's address on one line, and today's hours as a sentence of the catalog. */
export function StoreDetails({ store }: { store: PublicStore }) {
  const { t } = useI18n();
  const today = store.openingHours[weekdayIn(store.timezone, new Date())] ?? [];
  const a = store.address;
  return (
    <>
      <span className="store-address">
        {a.line1}
        {a.line2 ? `, ${a.line2}` : ""}, {a.postalCode} {a.city}
      </span>
      <span className="store-hours">
        {today.length === 0
          ? t("product.store.closedToday")
          : t("product.store.openToday", { hours: today.map((i) => `${i.open}–${i.close}`).join(", ") })}
      </span>
    </>
  );
}

/** "In stock", "only 3 left", "sold out": a status in words (and colour), never the exact stock. */
export function StockLabel({ stock, where }: { stock: PublicStock | undefined; where: "online" | "store" }) {
  const { t } = useI18n();
  if (!stock) return <span className="stock">{t("product.stockUnknown")}</span>;
  const key: MessageKey =
    stock.status === "in_stock"
      ? `product.stock.${where}.in`
      : stock.status === "out"
        ? `product.stock.${where}.out`
        : stock.available >= PUBLIC_CAP
          ? `product.stock.${where}.limited`
          : `product.stock.${where}.low`;
  const tone = stock.status === "in_stock" ? "stock-in" : stock.status === "out" ? "stock-out" : "stock-low";
  return <span className={`stock ${tone}`}>{t(key, { n: stock.available })}</span>;
}
