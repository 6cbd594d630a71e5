import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../app/api/client";
import type { SearchQuery } from "./types";

/** Every category (search's copy of catalog's tree, flat), cached for the visit. */
export function useCategories() {
  return useQuery({
    queryKey: ["categories"],
    queryFn: async () => unwrap(await api.search.GET("/api/search/categories")).data,
    staleTime: 5 * 60_000,
  });
}

/** Products found by search, the previous page kept on screen while the next loads. */
export function useProductSearch(query: SearchQuery) {
  return useQuery({
    queryKey: ["search", query],
    queryFn: async () => unwrap(await api.search.GET("/api/search/products", { params: { query } })),
    placeholderData: keepPreviousData,
  });
}
