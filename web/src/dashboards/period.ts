import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import type { GroupBy } from "./types";

/** The period picker's choices; the period lives in the URL (`?period=7d`, `?period=custom&from&to`). */
export const PRESETS = ["today", "7d", "month", "12m", "custom"] as const;
export type Preset = (typeof PRESETS)[number];

export interface Period {
  preset: Preset;
  /** First day, YYYY-MM-DD (included). */
  from: string;
  /** Last day, YYYY-MM-DD (included). */
  to: string;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A local calendar day as YYYY-MM-DD. */
export const isoDay = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

/** The days of a preset, ending today (the browser's day). */
export function presetDays(preset: Exclude<Preset, "custom">, today = new Date()): { from: string; to: string } {
  const to = isoDay(today);
  const from = new Date(today);
  if (preset === "7d") from.setDate(from.getDate() - 6);
  if (preset === "month") from.setDate(1);
  if (preset === "12m") from.setFullYear(from.getFullYear() - 1, from.getMonth(), from.getDate() + 1);
  return { from: isoDay(from), to };
}

/** The number of days of a period, both ends included. */
export const daysIn = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/** Every day of a period, in order (YYYY-MM-DD). */
export function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The grouping a period reads best in: days up to two months, weeks up to half a year, then months. */
export const naturalGroupBy = (period: Period): Extract<GroupBy, "day" | "week" | "month"> => {
  const days = daysIn(period.from, period.to);
  return days <= 62 ? "day" : days <= 183 ? "week" : "month";
};

/** The period of the URL (last 7 days when it names none, or a custom one that is not a period). */
export function usePeriod(): [Period, (next: Period) => void] {
  const [params, setParams] = useSearchParams();
  const period = useMemo<Period>(() => {
    const preset = params.get("period");
    const from = params.get("from") ?? "";
    const to = params.get("to") ?? "";
    if (preset === "custom" && DAY_PATTERN.test(from) && DAY_PATTERN.test(to) && from <= to) {
      return { preset, from, to };
    }
    const chosen =
      PRESETS.includes(preset as Preset) && preset !== "custom" ? (preset as Exclude<Preset, "custom">) : "7d";
    return { preset: chosen, ...presetDays(chosen) };
  }, [params]);
  const setPeriod = useCallback(
    (next: Period) =>
      setParams(
        (current) => {
          const out = new URLSearchParams(current);
          out.set("period", next.preset);
          if (next.preset === "custom") {
            out.set("from", next.from);
            out.set("to", next.to);
          } else {
            out.delete("from");
            out.delete("to");
          }
          return out;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [period, setPeriod];
}
