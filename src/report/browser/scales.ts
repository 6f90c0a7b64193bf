import type UPlot from 'uplot';

/** A latency axis from 0 to a little above the highest value. */
export function latencyScale(): UPlot.Scale {
  return { range: (_plot, _min, max) => [0, max > 0 ? max * 1.06 : 1] };
}

/** A rate axis from 0 to a little above the highest value. */
export function zeroBased(_plot: UPlot, _min: number, max: number): UPlot.Range.MinMax {
  return [0, max > 0 ? max * 1.08 : 1];
}

/**
 * Ticks of a log axis: every decade, and 2× and 5× (or 3×) when there is room for their labels.
 * (uPlot's own put a grid line at every 1–9 multiple: too busy for a report.)
 */
export function logSplits(plot: UPlot, axisIdx: number, min: number, max: number): number[] {
  const horizontal = (plot.axes[axisIdx]?.side ?? 0) % 2 === 0;
  const pixels = (horizontal ? plot.bbox.width : plot.bbox.height) / (window.devicePixelRatio || 1);
  const decades = Math.max(Math.log10(max / min), 0.1);
  const perDecade = pixels / decades;
  const steps = perDecade > 220 ? [1, 2, 5] : perDecade > 110 ? [1, 3] : [1];
  const splits: number[] = [];
  for (let decade = Math.floor(Math.log10(min)) - 1; decade <= Math.ceil(Math.log10(max)); decade++) {
    for (const step of steps) {
      const value = Number((step * Math.pow(10, decade)).toPrecision(6));
      if (value >= min * 0.999999 && value <= max * 1.000001) splits.push(value);
    }
  }
  return splits;
}

/** A latency (y) axis for some curves: its scale, label and splits, and the curves as drawn on it. */
export interface LatencyY {
  readonly log: boolean;
  readonly scale: UPlot.Scale;
  readonly label: string;
  /** undefined: uPlot's own splits (a linear axis). */
  readonly splits: UPlot.Axis.Splits | undefined;
  readonly curves: (number | null)[][];
}

/**
 * Latencies spanning more than a decade and a half (a fast and a slow request, or a bimodal run) read best on a
 * log scale: on a linear one everything below the slowest curve's tail is flat on the axis.
 */
export function latencyY(curves: readonly (readonly (number | null)[])[]): LatencyY {
  let low = Infinity;
  let high = 0;
  for (const curve of curves) {
    for (const value of curve) {
      if (value === null) continue;
      if (value > 0 && value < low) low = value;
      if (value > high) high = value;
    }
  }
  if (!(high / low > 30))
    return { log: false, scale: latencyScale(), label: 'ms', splits: undefined, curves: curves.map((curve) => [...curve]) };
  const floor = low;
  return {
    log: true,
    scale: { distr: 3, log: 10, range: () => [Math.pow(10, Math.floor(Math.log10(floor))), Math.pow(10, Math.ceil(Math.log10(high)))] },
    splits: logSplits,
    label: 'ms (log scale)',
    // A 0 µs latency has no place on a log axis: drawn at the lowest value instead.
    curves: curves.map((curve) => curve.map((value) => (value == null ? null : value > 0 ? value : floor))),
  };
}
