export interface PageQuery {
  page?: number;
  limit?: number;
}

export interface Page {
  page: number;
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export function pageOf(query: PageQuery): Page {
  const page = Math.max(1, query.page ?? 1);
  const limit = Math.min(MAX_LIMIT, Math.max(1, query.limit ?? DEFAULT_LIMIT));
  return { page, limit, offset: (page - 1) * limit };
}

export interface Paginated<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number };
}

export const paginated = <T>(data: T[], page: Page, total: number): Paginated<T> => ({
  data,
  pagination: { page: page.page, limit: page.limit, total },
});
