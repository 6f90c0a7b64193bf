import type { QuickRunFlags } from './run-source.js';

/** The flags of `loadseed run` (commander's camelCase names; the table in command-options.ts declares them). */
export interface RunCommandOptions extends QuickRunFlags {
  /** Where to write the JSON results; overrides the scenario's `report.json`. */
  readonly out?: string;
  /** Where to write the HTML report; overrides the scenario's `report.html`. */
  readonly html?: string;
  /** Where to write the JUnit XML (one test case per threshold); overrides the scenario's `report.junit`. */
  readonly junit?: string;
  /** Where to write a Markdown summary; overrides the scenario's `report.markdown`. */
  readonly markdown?: string;
  /** The results document on stdout; everything for people goes to stderr. */
  readonly json?: boolean;
  /** `--output KIND=TARGET`, repeatable: the streaming outputs. */
  readonly output?: readonly string[];
  /** Only the final verdict line. */
  readonly quiet?: boolean;
  /** The timing phases (DNS, connect, TLS, waiting, download) per request as a table in the summary. */
  readonly breakdown?: boolean;
  /** `i/n`: run shard i (1-based) of n. */
  readonly shard?: string;
  /** An ISO-8601 instant: the measured phase starts then (shards of one run share it). */
  readonly startAt?: string;
  /** A duration: the measured phase starts this long after the flags are read. */
  readonly startIn?: string;
  /** A hard limit on the whole run, as a duration. */
  readonly maxDuration?: string;
  /** Seeds the random template helpers (overrides the scenario's `seed`). */
  readonly seed?: string;
  /** An earlier run's results file to compare with at the end. */
  readonly baseline?: string;
  /** With `baseline`: the tolerance of the latencies and throughput, `10%` by default. */
  readonly maxRegression?: string;
  /** With `baseline`: how many percentage points the error rate may rise, `1%` by default. */
  readonly maxErrorRateIncrease?: string;
  /** Serve the live dashboard during the run: `true` on the default port (5665), else the port (`0`: any free one). */
  readonly dashboard?: string | boolean;
  /** With `dashboard`: how long it keeps serving the final results once the run is over (default 0). */
  readonly dashboardLinger?: string;
}
