import type UPlot from 'uplot';
import { formatFigure, formatPercentile } from '../format.js';
import type { ReportPageData } from '../report-page-data.js';
import type { ChartBoard } from './chart-board.js';
import { COLORS, alpha, axis, line, steppedPaths } from './chart-style.js';
import { ticks, valueIn } from './legend-text.js';
import { latencyScale, latencyY, logSplits } from './scales.js';

/** The x positions of the spectrum's marks: 1/(1−p), so that each extra nine of the percentile is a decade. */
const SPECTRUM_SPLITS = [1, 2, 10, 100, 1000, 10000];
const SPECTRUM_NAMES = ['p0', 'p50', 'p90', 'p99', 'p99.9', 'p99.99'];

const requestsValue = valueIn(' requests');
const msValue = valueIn(' ms');

/** The latency histogram: requests per bin (log-spaced), by response and service time, and the baseline's. */
export function drawHistogram(board: ChartBoard, distribution: NonNullable<ReportPageData['distribution']>): void {
  const edges = distribution.edgesMs;
  const last = edges.length - 1;
  const lowestMs = edges[0] ?? 0;
  const highestMs = edges[last] ?? 0;
  const stepped = steppedPaths(board.uplot, 1);
  const baseline = distribution.baselineCounts;
  // A bin's count holds from its lower edge to the next: one more point (0) closes the last bin.
  const closed = (counts: readonly number[]): number[] => [...counts, 0];
  board.draw(
    'chart-histogram',
    270,
    {
      scales: {
        x: { time: false, distr: 3, log: 10, range: () => [lowestMs, highestMs] },
        y: latencyScale(),
      },
      axes: [
        axis({ label: 'latency (ms, log scale)', values: ticks, splits: logSplits }),
        axis({ label: 'requests', size: 56, values: ticks }),
      ],
      series: [
        {
          label: 'latency',
          value: (_plot, _value, _series, i) => {
            if (i == null) return '–';
            return i < last
              ? `${formatFigure(edges[i] ?? NaN)}–${formatFigure(edges[i + 1] ?? NaN)} ms`
              : `≥ ${formatFigure(highestMs)} ms`;
          },
        },
        line('response time', COLORS.response, { paths: stepped, fill: alpha(COLORS.response, 0.14), value: requestsValue }),
        line('service time', COLORS.service, { paths: stepped, dash: [5, 4], value: requestsValue }),
        ...(baseline ? [line('baseline (scaled)', COLORS.baseline, { paths: stepped, dash: [2, 3], width: 2, value: requestsValue })] : []),
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    },
    [[...edges], closed(distribution.responseCounts), closed(distribution.serviceCounts), ...(baseline ? [closed(baseline)] : [])],
  );
}

/**
 * The percentile spectrum of every request together (with `--baseline`, the earlier run's response time at the
 * percentiles it recorded, joined across the gaps), then one line per request.
 */
export function drawSpectra(board: ChartBoard, spectrum: NonNullable<ReportPageData['spectrum']>, colors: readonly string[]): void {
  if (spectrum.responseMs.length === 0) return;
  const xs = spectrum.percentiles.map((p) => 100 / (100 - p));
  const percentileSeries: UPlot.Series = {
    label: 'percentile',
    value: (_plot, _value, _series, i) => (i == null ? '–' : formatPercentile(spectrum.percentiles[i] ?? NaN)),
  };
  const curves: (readonly (number | null)[])[] = [spectrum.responseMs, spectrum.serviceMs];
  const series: UPlot.Series[] = [
    percentileSeries,
    line('response time', COLORS.response, { value: msValue }),
    line('service time', COLORS.service, { dash: [5, 4], value: msValue }),
  ];
  if (spectrum.baselineMs) {
    curves.push(spectrum.baselineMs);
    series.push(
      line('baseline (response time)', COLORS.baseline, {
        dash: [2, 3],
        width: 2,
        spanGaps: true,
        points: { show: true, size: 5 },
        value: msValue,
      }),
    );
  }
  const overall = latencyY(curves);
  board.draw(
    'chart-spectrum',
    270,
    {
      scales: { x: spectrumScale(), y: overall.scale },
      axes: [spectrumAxis(), axis({ label: overall.label, size: 56, values: ticks, splits: overall.splits })],
      series,
      cursor: { drag: { x: true, y: false } },
    },
    [xs, ...overall.curves],
  );

  if (spectrum.requests.length === 0) return;
  const byRequest = latencyY(spectrum.requests.map((request) => request.responseMs));
  board.draw(
    'chart-requests',
    300,
    {
      scales: { x: spectrumScale(), y: byRequest.scale },
      axes: [spectrumAxis(), axis({ label: byRequest.label, size: 56, values: ticks, splits: byRequest.splits })],
      series: [
        percentileSeries,
        ...spectrum.requests.map((request, index) =>
          line(request.name, colors[index % colors.length] ?? COLORS.response, { value: msValue }),
        ),
      ],
      cursor: { drag: { x: true, y: false } },
    },
    [xs, ...byRequest.curves],
  );
}

function spectrumScale(): UPlot.Scale {
  return { time: false, distr: 3, log: 10, range: () => [1, 10000] };
}

function spectrumAxis(): UPlot.Axis {
  return axis({
    label: 'percentile (log scale of 1/(1−p))',
    // Every mark labelled: uPlot's log axes otherwise label decades only, and p50 is not one.
    // On a narrow chart p50 is too close to p0 to be labelled too.
    filter: (plot, splits) => {
      const crowded = plot.valToPos(2, 'x') - plot.valToPos(1, 'x') < 26;
      return splits.map((x) => (crowded && x === 2 ? null : x));
    },
    splits: () => SPECTRUM_SPLITS,
    values: (_plot, splits) =>
      splits.map((x) => {
        const at = SPECTRUM_SPLITS.indexOf(x);
        return at === -1 ? '' : (SPECTRUM_NAMES[at] ?? '');
      }),
  });
}
