import { useI18n } from "../app/i18n/i18n";

/** One bar: its label and value (amounts in cents, counts as they are). */
export interface Bar {
  key: string;
  label: string;
  value: number;
}

/**
 * Columns over time (days, weeks, months, hours) in plain SVG: the image is described by its
 * aria-label (how many columns, the highest and the total), and the same figures are a table below
 * (a `<details>` the keyboard opens).
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
  const max = Math.max(...bars.map((b) => b.value), 0);
  const top = bars.reduce((best, b) => (b.value > best.value ? b : best), bars[0]!);
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  const width = 640;
  const height = 200;
  const slot = width / bars.length;
  const gap = Math.min(4, slot * 0.2);
  // A few bars stay bars, not walls.
  const barWidth = Math.min(48, Math.max(1, slot - gap));
  const summary = t("dashboards.chart.summary", {
    title,
    count: bars.length,
    max: format(top.value),
    maxLabel: top.label,
    total: format(total),
  });
  const step = Math.max(1, Math.ceil(bars.length / 12));
  return (
    <figure className="dash-chart">
      <svg viewBox={`0 0 ${width} ${height + 24}`} role="img" aria-label={summary} className="dash-columns">
        <line x1={0} x2={width} y1={height} y2={height} className="dash-axis" />
        {bars.map((bar, i) => {
          const h = max > 0 ? Math.max(0, (bar.value / max) * (height - 8)) : 0;
          return (
            <g key={bar.key}>
              <rect
                x={i * slot + (slot - barWidth) / 2}
                y={height - h}
                width={barWidth}
                height={h}
                className="dash-bar"
              >
                <title>{t("dashboards.chart.point", { label: bar.label, value: format(bar.value) })}</title>
              </rect>
              {i % step === 0 && (
                <text x={i * slot + slot / 2} y={height + 16} textAnchor="middle" className="dash-tick">
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
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
      <rect x={0} y={0} width={width} height={10} className="dash-bar" />
    </svg>
  );
}
