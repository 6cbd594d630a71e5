import { useI18n } from "../../app/i18n/i18n";
import type { SupplyStatus } from "../types";
import { Badge } from "../ui";

export const STATUSES: readonly SupplyStatus[] = ["requested", "approved", "completed", "rejected", "failed"];

const TONES = { requested: "info", approved: "info", completed: "ok", rejected: "muted", failed: "bad" } as const;

export function RequestStatus({ status }: { status: SupplyStatus }) {
  const { t } = useI18n();
  return <Badge tone={TONES[status]} label={t(`backoffice.supply.status.${status}`)} />;
}
