/**
 * The till's IndexedDB (`comptoir-pos`): the store's catalog (`variants`, by id, SKU and barcode),
 * the sales waiting for the network (`queue`, by their client-generated id) and small facts
 * (`meta`: when the catalog was last read). A tiny promise wrapper over the browser's API.
 */

/** A variant as the till sells it: what a scan, a search and an offline receipt need. */
export interface LocalVariant {
  id: string;
  sku: string;
  barcode: string | null;
  /** The product's name, with the variant's options ("Chemise en lin — M, bleu"). */
  name: string;
  /** Lower case, accents removed: what a search by name matches. */
  folded: string;
  price: number;
  vatRate: number;
  currency: string;
}

/** A sale kept in the browser until the platform has it. */
export interface QueuedSale {
  id: string;
  /** The exact body sent each time (the same id with another body would be a 422). */
  body: SaleBody;
  createdAt: string;
  storeId: string;
  registerId: string;
  /** What the till showed and printed (local prices). */
  preview: LocalReceipt;
  /** `waiting` until sent; `attention` once the platform refused it (with the problem's code). */
  state: "waiting" | "attention";
  problem?: string;
  attempts: number;
}

export interface SaleBody {
  id: string;
  registerId: string;
  lines: { variantId: string; quantity: number; discount?: Discount }[];
  discount?: Discount;
  tenders: (
    | { method: "cash"; amount: number }
    | {
        method: "card";
        amount: number;
        card: { number: string; expMonth: number; expYear: number; cvc: string };
      }
    | { method: "store_credit"; code: string; amount: number }
  )[];
}

export type Discount = { percent: number } | { amount: number };

/** A receipt computed by the till from its local catalog: printed offline, marked as not registered. */
export interface LocalReceipt {
  saleId: string;
  date: string;
  lines: { name: string; sku: string; quantity: number; unitPrice: number; discount: number; lineTotal: number }[];
  subtotal: number;
  discountTotal: number;
  total: number;
  vat: { rate: number; base: number; vat: number; total: number }[];
  tenders: { method: "cash" | "card" | "store_credit"; amount: number }[];
  change: number;
  currency: string;
}

const NAME = "comptoir-pos";
const VERSION = 1;
type StoreName = "variants" | "queue" | "meta";

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const variants = db.createObjectStore("variants", { keyPath: "id" });
      variants.createIndex("sku", "sku", { unique: false });
      variants.createIndex("barcode", "barcode", { unique: false });
      db.createObjectStore("queue", { keyPath: "id" });
      db.createObjectStore("meta");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = null;
      reject(request.error ?? new Error("IndexedDB unavailable"));
    };
  });
  return opening;
}

const done = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });

async function tx<T>(
  names: StoreName | StoreName[],
  mode: IDBTransactionMode,
  run: (t: IDBTransaction) => Promise<T> | T,
): Promise<T> {
  const db = await open();
  const t = db.transaction(names, mode);
  const finished = new Promise<void>((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error ?? new Error("IndexedDB transaction failed"));
    t.onabort = () => reject(t.error ?? new Error("IndexedDB transaction aborted"));
  });
  const result = await run(t);
  await finished;
  return result;
}

export const db = {
  /** Replaces the whole catalog in one transaction (a variant no longer sold disappears). */
  replaceVariants: (variants: LocalVariant[], at: string) =>
    tx(["variants", "meta"], "readwrite", (t) => {
      const store = t.objectStore("variants");
      store.clear();
      for (const v of variants) store.put(v);
      t.objectStore("meta").put(at, "catalogAt");
    }),
  countVariants: () => tx("variants", "readonly", (t) => done(t.objectStore("variants").count())),
  catalogAt: () =>
    tx("meta", "readonly", (t) => done(t.objectStore("meta").get("catalogAt")) as Promise<string | undefined>),
  variant: (id: string) =>
    tx("variants", "readonly", (t) => done(t.objectStore("variants").get(id)) as Promise<LocalVariant | undefined>),
  /** The variant whose barcode, or else SKU (any case), is the code. */
  byCode: (code: string) =>
    tx("variants", "readonly", async (t) => {
      const store = t.objectStore("variants");
      const byBarcode = (await done(store.index("barcode").get(code))) as LocalVariant | undefined;
      if (byBarcode) return byBarcode;
      const bySku = (await done(store.index("sku").get(code))) as LocalVariant | undefined;
      if (bySku) return bySku;
      const upper = code.toUpperCase();
      return upper === code ? undefined : ((await done(store.index("sku").get(upper))) as LocalVariant | undefined);
    }),
  putVariant: (variant: LocalVariant) =>
    tx("variants", "readwrite", (t) => void t.objectStore("variants").put(variant)),
  allVariants: () =>
    tx("variants", "readonly", (t) => done(t.objectStore("variants").getAll()) as Promise<LocalVariant[]>),
  queued: () =>
    tx("queue", "readonly", async (t) => {
      const all = (await done(t.objectStore("queue").getAll())) as QueuedSale[];
      return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    }),
  putQueued: (sale: QueuedSale) => tx("queue", "readwrite", (t) => void t.objectStore("queue").put(sale)),
  removeQueued: (id: string) => tx("queue", "readwrite", (t) => void t.objectStore("queue").delete(id)),
};

/** Text as a search by name compares it: lower case, without accents. */
export const fold = (text: string) =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
