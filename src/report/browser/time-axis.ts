import type UPlot from 'uplot';
import { formatElapsed } from '../format.js';
import type { ReportPageData } from '../report-page-data.js';
import { axis } from './chart-style.js';

/** Tick steps of the time axis, in seconds: round clock values only. */
const TIME_INCREMENTS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

/** Cursors move together on the charts over time; a drag zooms the one dragged. */
export const TIME_SYNC: UPlot.Cursor.Sync = { key: 'loadseed-time', setSeries: false };

/** The x axis the charts over time share: the intervals of the time series, from the measured phase's t=0. */
export class TimeAxis {
  /** Runs of two minutes or more read as a clock (`12:30`), shorter ones in seconds. */
  readonly long: boolean;
  /**
   * Each interval is a step from its start to the next one's; one more point closes the last step at the run's
   * end. Columns of the series go through `closed` to get that point too.
   */
  readonly times: number[];
  readonly #count: number;
  readonly #endS: number;

  constructor(series: ReportPageData['series']) {
    this.long = series.endS >= 120;
    this.#count = series.startS.length;
    this.#endS = Math.max(series.endS, series.startS[this.#count - 1] ?? 0);
    this.times = [...series.startS, this.#endS];
  }

  /** A column with its last value repeated at the run's end. */
  closed<T>(column: readonly T[]): T[] {
    return [...column, ...column.slice(this.#count - 1, this.#count)];
  }

  elapsed(seconds: number): string {
    return formatElapsed(seconds, this.long);
  }

  scale(): UPlot.Scale {
    const endS = this.#endS;
    return { time: false, range: () => [0, endS > 0 ? endS : 1] };
  }

  axis(): UPlot.Axis {
    return axis({
      incrs: TIME_INCREMENTS,
      space: 64,
      size: 30,
      values: (_plot, splits) => splits.map((s) => (s == null ? '' : this.elapsed(s))),
    });
  }

  /** The x series: its legend shows the interval under the cursor, `2 s–3 s`. */
  intervalSeries(): UPlot.Series {
    return {
      label: 'interval',
      value: (_plot, _value, _series, i) => {
        if (i == null) return '–';
        const at = Math.min(i, this.#count - 1);
        return `${this.elapsed(this.times[at] ?? NaN)}–${this.elapsed(this.times[at + 1] ?? NaN)}`;
      },
    };
  }
}
