// A hand-written SVG of time series: one small panel per series group, no dependency.
const COLORS = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/**
 * panels: [{title, unit, series: [{name, points: [[xSeconds, y], ...]}]}] → an SVG document.
 */
export function plot(title, panels, { width = 960, panelHeight = 220 } = {}) {
  const margin = { left: 70, right: 230, top: 30, bottom: 30 };
  const inner = { w: width - margin.left - margin.right, h: panelHeight - margin.top - margin.bottom };
  const parts = [];
  const height = 40 + panels.length * panelHeight;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  );
  panels.forEach((panel, i) => {
    const oy = 40 + i * panelHeight;
    const all = panel.series.flatMap((s) => s.points);
    const xMax = Math.max(1, ...all.map((p) => p[0]));
    const yMax = Math.max(1e-9, ...all.map((p) => p[1])) * 1.1;
    const x = (v) => margin.left + (v / xMax) * inner.w;
    const y = (v) => oy + margin.top + inner.h - (v / yMax) * inner.h;
    parts.push(
      `<text x="${margin.left}" y="${oy + 18}" font-weight="bold">${esc(panel.title)}${panel.unit ? ` (${esc(panel.unit)})` : ""}</text>`,
      `<rect x="${margin.left}" y="${oy + margin.top}" width="${inner.w}" height="${inner.h}" fill="none" stroke="#999"/>`,
    );
    for (let k = 0; k <= 4; k++) {
      const v = (yMax * k) / 4;
      parts.push(
        `<line x1="${margin.left}" x2="${margin.left + inner.w}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
        `<text x="${margin.left - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toPrecision(3)}</text>`,
      );
      const t = (xMax * k) / 4;
      parts.push(
        `<text x="${x(t)}" y="${oy + margin.top + inner.h + 16}" text-anchor="middle">${(t / 60).toFixed(1)} min</text>`,
      );
    }
    panel.series.forEach((s, j) => {
      const color = COLORS[j % COLORS.length];
      if (s.points.length)
        parts.push(
          `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${s.points
            .map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
            .join(" ")}"/>`,
        );
      const ly = oy + margin.top + 4 + j * 14;
      if (ly < oy + panelHeight - 10)
        parts.push(
          `<rect x="${margin.left + inner.w + 10}" y="${ly}" width="10" height="10" fill="${color}"/>`,
          `<text x="${margin.left + inner.w + 24}" y="${ly + 9}">${esc(s.name)}</text>`,
        );
    });
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Least-squares slope of [[x, y], ...] (per unit of x). */
export function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [px, py] of points) {
    num += (px - mx) * (py - my);
    den += (px - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
