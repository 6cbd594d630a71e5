import { ProblemSchema } from "./problem";

/** Schema pieces every service's routes share (TypeBox), defined with the HTTP contracts. */
export { DateTime, Id, MAX_PAGE, MAX_PAGE_ROWS, Nullable, Page, Pagination, pageQuery } from "@comptoir/contracts/http";

/** The `response` entries of a route's error statuses: each an `application/problem+json` document. */
export const problemResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ProblemSchema]));
