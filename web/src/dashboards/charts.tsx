import { Bar as Column, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { useI18n } from "../app/i18n/i18n";

/** One bar: its label and value (amounts in cents, counts as they are). */
export interface Bar {
  key: string;
  label: string;
  value: number;
}

/**
 * Columns over time (days, weeks, months, hours), drawn by Recharts (SVG) with a tooltip per column
 * and the value axis in the app's formats. The chart is one image described by its aria-label (how many
 * columns, the highest and the total), and the same figures are a table below (a `<details>` the
 * keyboard opens): Recharts' keyboard layer stays off, since an image's content is not interactive.
 */
export function ColumnChart({
  title,
  bars,
  format,
  valueLabel,
}: {
  title: string;
  bars: Bar[];
  format(value: number): string;
  valueLabel: string;
}) {
  const { t } = useI18n();
  if (bars.length === 0) return <p className="empty">{t("dashboards.chart.empty")}</p>;
  const top = bars.reduce((best, b) => (b.value > best.value ? b : best), bars[0]!);
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  const summary = t("dashboards.chart.summary", {
    title,
    count: bars.length,
    max: format(top.value),
    maxLabel: top.label,
    total: format(total),
  });
  return (
    <figure className="dash-chart">
      <div role="img" aria-label={summary} className="dash-columns">
        <BarChart data={bars} responsive accessibilityLayer={false} className="dash-columns-chart">
          <CartesianGrid vertical={false} />
          <XAxis dataKey="label" interval="preserveStartEnd" minTickGap={8} tickLine={false} />
          <YAxis width="auto" tickFormatter={(v: number) => format(v)} allowDecimals={false} />
          <Tooltip
            isAnimationActive={false}
            content={({ active, payload, label }) =>
              active && payload?.[0] ? (
                <p className="dash-tooltip">
                  {t("dashboards.chart.point", { label: String(label), value: format(Number(payload[0].value)) })}
                </p>
              ) : null
            }
          />
          <Column dataKey="value" name={valueLabel} maxBarSize={48} isAnimationActive={false} />
        </BarChart>
      </div>
      <details className="dash-data">
        <summary>{t("dashboards.chart.table")}</summary>
        <table className="dash-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dashboards.chart.period")}</th>
              <th scope="col" className="num">
                {valueLabel}
              </th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.key}>
                <th scope="row">{bar.label}</th>
                <td className="num">{format(bar.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** A bar drawn in a table's cell, proportional to the column's highest value (the cell's text says the figure). */
export function InlineBar({ value, max }: { value: number; max: number }) {
  const width = max > 0 ? Math.max(0, (value / max) * 100) : 0;
  return (
    <svg
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      className="dash-inline-bar"
      aria-hidden="true"
      focusable="false"
    >
      <rect x={0} y={0} width={width} height={10} />
    </svg>
  );
}
