import type { ServicePart } from "@comptoir/platform";
import { migrateSagaTables } from "./sagas.schema";

/** For a service that runs sagas (`runService({ parts: [sagasPart] })`): the `sagas` and `saga_history` tables. */
export const sagasPart: ServicePart = { name: "sagas", migrate: migrateSagaTables };
