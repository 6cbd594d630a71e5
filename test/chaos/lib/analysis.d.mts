// Types of analysis.mjs, for the TypeScript tests that reuse it.
export interface Sample {
  t: number;
  ms: number;
  op: string;
  status: number;
  ok: boolean;
  error?: string;
}
export const AIM: { maxFailedPct: number; maxRecoverySeconds: number; windowOkPct: number };
export function percentile(values: number[], p: number): number;
export function between(samples: Sample[], from: number, to: number): Sample[];
export function failedPct(samples: Sample[]): number;
export function recoverySeconds(
  samples: Sample[],
  faultEnd: number,
  to: number,
  thresholdPct?: number,
): number | undefined;
export function topErrors(samples: Sample[], n?: number): string;
