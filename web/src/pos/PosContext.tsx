import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { newKey, ProblemError } from "../app/api/client";
import { useSession } from "../app/auth/session";
import { refreshCatalog } from "./catalog";
import { db, type LocalReceipt, type QueuedSale, type SaleBody } from "./db";
import type { CreatedSale } from "./types";

/**
 * The till's shared state: is the platform reachable, the local catalog, and the sales waiting in
 * IndexedDB to be sent (each exactly once: it carries its client-generated sale id, and the same
 * id with the same body answers the same sale).
 */
export interface Pos {
  /** The browser says it is online and the platform's last answer was not a network failure. */
  online: boolean;
  catalog: { count: number; at: string | undefined; loading: boolean; error: unknown };
  refreshCatalog(): Promise<void>;
  queue: QueuedSale[];
  /** The last sales the queue delivered (their receipt numbers), for the screen to announce. */
  delivered: { id: string; receiptNumber: string }[];
  enqueue(body: SaleBody, preview: LocalReceipt, storeId: string): Promise<void>;
  sync(): Promise<void>;
  discard(id: string): Promise<void>;
  retry(id: string): Promise<void>;
  /** Records what a call's outcome says of the platform's reachability. */
  observe(error: unknown): void;
}

const PosContext = createContext<Pos | null>(null);

/** No answer at all, or the gateway saying the service behind it is down: the platform is unreachable. */
export const isUnreachable = (error: unknown) =>
  !(error instanceof ProblemError) || error.status === 502 || error.status === 503 || error.status === 504;

/**
 * A sale's outcome is unknown: no answer, a server error, or still running. The same id sent again
 * answers what was done (or does it now), never a second sale.
 */
export const outcomeUnknown = (error: unknown) =>
  !(error instanceof ProblemError) || error.status >= 500 || error.code === "sale_in_progress";

/** Answers that mean "not now" rather than "no": the queue tries the sale again later. */
const LATER = new Set(["sale_in_progress", "rate_limited", "unauthorized", "invalid_token"]);

const SYNC_EVERY_MS = 5_000;

export function PosProvider({ children }: { children: ReactNode }) {
  const { call, user } = useSession();
  const [browserOnline, setBrowserOnline] = useState(() => navigator.onLine);
  const [platformDown, setPlatformDown] = useState(false);
  const [catalog, setCatalog] = useState<Pos["catalog"]>({ count: 0, at: undefined, loading: false, error: null });
  const [queue, setQueue] = useState<QueuedSale[]>([]);
  const [delivered, setDelivered] = useState<Pos["delivered"]>([]);
  const syncing = useRef(false);
  const online = browserOnline && !platformDown;

  const reload = useCallback(async () => setQueue(await db.queued()), []);

  const observe = useCallback((error: unknown) => {
    if (error === null || !isUnreachable(error)) setPlatformDown(false);
    else setPlatformDown(true);
  }, []);

  const loadCatalog = useCallback(async () => {
    setCatalog((c) => ({ ...c, loading: true, error: null }));
    try {
      await refreshCatalog();
      observe(null);
    } catch (error) {
      observe(error);
      setCatalog((c) => ({ ...c, error }));
    }
    const [count, at] = await Promise.all([db.countVariants(), db.catalogAt()]);
    setCatalog({ count, at, loading: false, error: null });
  }, [observe]);

  const sync = useCallback(async () => {
    if (syncing.current || !navigator.onLine || !user) return;
    syncing.current = true;
    const run = async () => {
      for (const sale of await db.queued()) {
        if (sale.state !== "waiting") continue;
        try {
          const created: CreatedSale = await call((client) =>
            client.retail.POST("/api/retail/sales", { body: sale.body }),
          );
          await db.removeQueued(sale.id);
          setDelivered((d) => [{ id: sale.id, receiptNumber: created.receiptNumber }, ...d].slice(0, 5));
          observe(null);
        } catch (error) {
          observe(error);
          if (outcomeUnknown(error) || (error instanceof ProblemError && LATER.has(error.code))) break;
          // Refused after the fact (stock, a closed register, a discount): kept and shown, never dropped.
          const code = error instanceof ProblemError ? error.code : "unknown";
          await db.putQueued({ ...sale, state: "attention", problem: code, attempts: sale.attempts + 1 });
        }
      }
    };
    try {
      // One tab at a time sends the queue (a second tab would only meet the same ids again).
      if (navigator.locks) await navigator.locks.request("comptoir-pos-sync", run);
      else await run();
    } finally {
      syncing.current = false;
      await reload();
    }
  }, [call, user, observe, reload]);

  useEffect(() => {
    const up = () => {
      setBrowserOnline(true);
      setPlatformDown(false);
    };
    const down = () => setBrowserOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);

  // While the platform does not answer (the network being up), it is asked again every few seconds.
  useEffect(() => {
    if (!platformDown || !browserOnline || !user) return;
    const timer = setInterval(() => {
      call((client) => client.identity.GET("/api/identity/me")).then(
        () => observe(null),
        (error: unknown) => observe(error),
      );
    }, SYNC_EVERY_MS * 2);
    return () => clearInterval(timer);
  }, [platformDown, browserOnline, user, call, observe]);

  // The catalog is read when the till starts online, and the local copy counted otherwise.
  useEffect(() => {
    void (async () => {
      const [count, at] = await Promise.all([db.countVariants(), db.catalogAt()]);
      setCatalog((c) => ({ ...c, count, at }));
      await reload();
      if (navigator.onLine) await loadCatalog();
    })();
  }, [loadCatalog, reload]);

  // The queue is sent when the browser comes back online, then every few seconds while sales wait.
  const waiting = queue.filter((s) => s.state === "waiting").length;
  useEffect(() => {
    if (browserOnline && waiting > 0) void sync();
    if (waiting === 0) return;
    const timer = setInterval(() => void sync(), SYNC_EVERY_MS);
    return () => clearInterval(timer);
  }, [browserOnline, waiting, sync]);

  const value = useMemo<Pos>(
    () => ({
      online,
      catalog,
      refreshCatalog: loadCatalog,
      queue,
      delivered,
      async enqueue(body, preview, storeId) {
        await db.putQueued({
          id: body.id,
          body,
          preview,
          createdAt: new Date().toISOString(),
          storeId,
          registerId: body.registerId,
          state: "waiting",
          attempts: 0,
        });
        await reload();
      },
      sync,
      async discard(id) {
        await db.removeQueued(id);
        await reload();
      },
      async retry(id) {
        const sale = queue.find((s) => s.id === id);
        if (sale) {
          // A refused sale left nothing done, and its id keeps answering the refusal: a new attempt is a new id.
          const fresh = newKey();
          await db.removeQueued(id);
          await db.putQueued({
            ...sale,
            id: fresh,
            body: { ...sale.body, id: fresh },
            preview: { ...sale.preview, saleId: fresh },
            state: "waiting",
            problem: undefined,
          });
        }
        await reload();
        await sync();
      },
      observe,
    }),
    [online, catalog, loadCatalog, queue, delivered, reload, sync, observe],
  );

  return <PosContext.Provider value={value}>{children}</PosContext.Provider>;
}

export function usePos(): Pos {
  const value = useContext(PosContext);
  if (!value) throw new Error("usePos outside PosProvider");
  return value;
}
