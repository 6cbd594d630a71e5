import { useMemo } from "react";
import { useI18n } from "../app/i18n/i18n";

/** Numbers, changes and rates in the current locale (amounts: the catalog's `money()`). */
export function useFormat() {
  const { locale, money } = useI18n();
  return useMemo(() => {
    const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    const change = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: "exceptZero" });
    const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
    return {
      money,
      number: (n: number | null | undefined) => (n === null || n === undefined ? "—" : number.format(n)),
      /** A change already in % (12.5 → +12,5 %); null: no previous figure to compare with. */
      change: (pct: number | null | undefined) => (pct === null || pct === undefined ? "—" : `${change.format(pct)} %`),
      /** A ratio (0.125 → 12,5 %). */
      ratio: (r: number | null | undefined) => (r === null || r === undefined ? "—" : percent.format(r)),
    };
  }, [locale, money]);
}
