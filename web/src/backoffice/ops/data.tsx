import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CallResult, ComptoirClient } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import type { GatewayStatus, User } from "./types";

/**
 * The operations screens' data: every read is cached under `["backoffice", <user>, "ops", …]` (the back
 * office forgets its queries on sign out), every write goes through the signed-in session and then
 * refreshes what the operations screens read.
 */
export function useOpsQuery<Data>(
  key: readonly unknown[],
  run: (client: ComptoirClient) => Promise<CallResult<Data>>,
  options: { enabled?: boolean; refetchInterval?: number } = {},
) {
  const { call, user } = useSession();
  return useQuery({
    queryKey: ["backoffice", user?.id, "ops", ...key],
    queryFn: () => call(run),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
    ...(options.refetchInterval ? { refetchInterval: options.refetchInterval } : {}),
  });
}

/** A write as the signed-in user; once it succeeds, the operations screens read again. */
export function useOpsAction<Input, Data>(
  run: (client: ComptoirClient, input: Input) => Promise<CallResult<Data>>,
  onDone?: (data: Exclude<Data, undefined>) => void,
) {
  const { call, user } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Input) => call((client) => run(client, input)),
    onSuccess: async (data) => {
      onDone?.(data);
      await queryClient.invalidateQueries({ queryKey: ["backoffice", user?.id, "ops"] });
    },
  });
}

/** The signed-in user's profile (its store: the session keeps only the name and the role). */
export function useProfile() {
  return useOpsQuery(["me"], (client) => client.identity.GET("/api/identity/me"));
}

/** The stores the user may see (every one for an admin, their own for staff), by code. */
export function useStoreList(enabled = true) {
  return useOpsQuery(
    ["stores"],
    (client) => client.retail.GET("/api/retail/stores", { params: { query: { limit: 100 } } }),
    { enabled },
  );
}

/** The staff who may manage a store (users:read: admins), for the store forms' manager list. */
export function useManagers(enabled: boolean) {
  return useOpsQuery(
    ["users", "managers"],
    (client) =>
      client.identity.GET("/api/identity/users", { params: { query: { role: "manager", active: true, limit: 100 } } }),
    { enabled },
  );
}

/** The names of these users (admins: users:read), by id; others get an empty map (they show ids). */
export function useUserNames(ids: readonly string[]): Map<string, string> {
  const { call, user } = useSession();
  const enabled = user?.role === "admin";
  const unique = [...new Set(ids)];
  const answers = useQueries({
    queries: unique.map((id) => ({
      queryKey: ["backoffice", user?.id, "ops", "user", id],
      queryFn: () => call((client) => client.identity.GET("/api/identity/users/{id}", { params: { path: { id } } })),
      enabled,
      staleTime: 300_000,
    })),
  });
  return new Map(answers.flatMap((answer) => (answer.data ? [[answer.data.id, answer.data.name] as const] : [])));
}

export const userName = (users: readonly User[] | undefined, id: string | null): string | undefined =>
  id ? users?.find((user) => user.id === id)?.name : undefined;

/**
 * The gateway's view of every service and its instances (`GET /health/status`: 200 when each service
 * has an instance up, 503 with the same body otherwise). It is the gateway's own route, in no service's
 * OpenAPI document, hence the one call here that is not made through the typed client.
 */
export function useGatewayStatus() {
  return useQuery({
    queryKey: ["backoffice", "ops", "gateway-status"],
    queryFn: async (): Promise<GatewayStatus> => {
      const response = await fetch("/health/status", { headers: { accept: "application/json" } });
      if (response.status !== 200 && response.status !== 503) throw new Error(`health ${response.status}`);
      return (await response.json()) as GatewayStatus;
    },
    refetchInterval: 10_000,
  });
}
