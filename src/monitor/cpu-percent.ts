/**
 * CPU use over an interval in % of one core: CPU seconds used (`cpuSeconds`, the growth of a CPU-time counter)
 * over the wall time between the two readings (`wallMs`). 100: one core busy the whole time; 250: two and a
 * half. Null when the interval is empty or the figures make no sense (negative, not finite).
 */
export function cpuPercent(cpuSeconds: number, wallMs: number): number | null {
  if (!(wallMs > 0) || !Number.isFinite(wallMs) || !(cpuSeconds >= 0) || !Number.isFinite(cpuSeconds)) return null;
  return (cpuSeconds * 100_000) / wallMs;
}
