// Figures from the samples: per-second windows, failure rates, recovery time, percentiles.

export const AIM = { maxFailedPct: 0.5, maxRecoverySeconds: 5, windowOkPct: 99.5 };

export function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function between(samples, from, to) {
  return samples.filter((s) => s.t >= from && s.t < to);
}

export function failedPct(samples) {
  if (samples.length === 0) return 0;
  return (100 * samples.filter((s) => !s.ok).length) / samples.length;
}

/** 1-s windows from `from` to `to` (by the requests' start time). */
export function windows(samples, from, to, size = 1000) {
  const list = [];
  for (let start = from; start < to; start += size) {
    const inside = between(samples, start, Math.min(start + size, to));
    list.push({ start, count: inside.length, ok: inside.filter((s) => s.ok).length });
  }
  return list;
}

/**
 * Seconds from `faultEnd` to the start of the first 1-s window after which every window up to `to`
 * is at least `thresholdPct` successful (an empty window, when every user waits on a hung request,
 * is not). 0 when the platform never faltered after the fault's end; undefined when it is still not
 * back at `to`.
 */
export function recoverySeconds(samples, faultEnd, to, thresholdPct = AIM.windowOkPct) {
  const list = windows(samples, faultEnd, to);
  const good = (w) => w.count > 0 && (100 * w.ok) / w.count >= thresholdPct;
  let k = list.length;
  while (k > 0 && good(list[k - 1])) k--;
  if (k === list.length) return undefined;
  return (list[k].start - faultEnd) / 1000;
}

/** The most frequent errors, e.g. "503 upstream_unavailable ×41, ECONNRESET ×3". */
export function topErrors(samples, n = 3) {
  const counts = new Map();
  for (const s of samples) if (!s.ok) counts.set(`${s.op}: ${s.error}`, (counts.get(`${s.op}: ${s.error}`) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([e, c]) => `${e} ×${c}`)
    .join("; ");
}

export function judge(row) {
  const recovered = row.recovery !== undefined && row.recovery <= AIM.maxRecoverySeconds;
  return row.failedPct <= AIM.maxFailedPct && recovered ? "PASS" : "MISS";
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

export function table(rows) {
  const lines = [
    `${pad("fault", 38)} ${lpad("requests", 8)} ${lpad("failed", 7)} ${lpad("failed%", 8)} ${lpad("p99 ms", 7)} ${lpad("recovery", 9)}  aim`,
  ];
  for (const r of rows) {
    if (r.skipped) {
      lines.push(`${pad(r.fault, 38)} skipped: ${r.skipped}`);
      continue;
    }
    const recovery = r.recovery === undefined ? `>${r.observeSeconds} s` : `${r.recovery.toFixed(1)} s`;
    lines.push(
      `${pad(r.fault, 38)} ${lpad(r.requests, 8)} ${lpad(r.failed, 7)} ${lpad(r.failedPct.toFixed(2), 8)} ${lpad(
        Math.round(r.p99),
        7,
      )} ${lpad(recovery, 9)}  ${r.verdict}`,
    );
  }
  return lines.join("\n");
}
