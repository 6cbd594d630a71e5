import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext } from "react";
import type { CallResult, ComptoirClient } from "../app/api/client";
import { useSession } from "../app/auth/session";
import type { Separator } from "./types";

/**
 * Who reads the dashboards: an admin (every store, the online channel) or a manager (their store
 * only: the reporting API refuses anything wider with a 403).
 */
export interface Scope {
  isAdmin: boolean;
  /** The manager's store (identity's `/me`); null for an admin. */
  storeId: string | null;
}

const ScopeContext = createContext<Scope | null>(null);

export function ScopeProvider({ scope, children }: { scope: Scope; children: ReactNode }) {
  return <ScopeContext.Provider value={scope}>{children}</ScopeContext.Provider>;
}

export function useScope(): Scope {
  const scope = useContext(ScopeContext);
  if (!scope) throw new Error("useScope outside ScopeProvider");
  return scope;
}

/** A report read as the signed-in user, cached per user (signing out forgets it: `["dashboards", …]`). */
export function useReport<Data>(
  key: readonly unknown[],
  run: (client: ComptoirClient) => Promise<CallResult<Data>>,
  enabled = true,
) {
  const { call, user } = useSession();
  return useQuery({
    queryKey: ["dashboards", user?.id, ...key],
    queryFn: () => call(run),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The signed-in user's profile (its `storeId`: the session keeps only the name and role). */
export function useMe() {
  return useReport(["me"], (client) => client.identity.GET("/api/identity/me"));
}

/** The stores the user may see: every store for an admin, their own for a manager. */
export function useStores() {
  return useReport(["stores"], (client) =>
    client.retail.GET("/api/retail/stores", { params: { query: { limit: 100 } } }),
  );
}

/** A CSV report, asked with the separator chosen. */
export type CsvRequest = (client: ComptoirClient, sep: Separator) => Promise<CallResult<Blob>>;

/**
 * Downloads a report as CSV: fetched with the bearer token (a plain link could not send it), then
 * saved under the server's file name through an object URL and a link's `download` attribute.
 */
export async function saveCsv(
  call: ReturnType<typeof useSession>["call"],
  request: CsvRequest,
  sep: Separator,
  fallbackName: string,
): Promise<void> {
  let disposition = "";
  const blob = await call(async (client) => {
    const result = await request(client, sep);
    disposition = result.response.headers.get("content-disposition") ?? "";
    return result;
  });
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = sep === ";" ? name.replace(/\.csv$/, "-fr.csv") : name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
