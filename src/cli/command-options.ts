/**
 * Every command-line option of loadseed as data: main.ts hands each table to `addOptions`, the one loop that
 * makes rows into commander Options. A row used by several commands is one constant, listed in each of their tables, so a
 * shared flag is described once. The tables are per command and ordered, because `--help` lists a
 * command's options in the order they were added.
 */
import { Option } from 'commander';
import type { Command } from 'commander';

/** One option: what commander needs to parse it and to print it in `--help`. */
export interface OptionSpec {
  /** As commander takes them: `-o, --out <file>`, `--json`, `--no-color`. */
  readonly flags: string;
  readonly description: string;
  /** Used when the flag is absent, and printed as `(default: "…")`. */
  readonly defaultValue?: string;
  /** The only values accepted: another one is refused (exit 2) before the command runs. */
  readonly choices?: readonly string[];
  /** The command is refused (exit 2) without it. */
  readonly mandatory?: true;
  /** May be given several times: the values are collected, in order, into an array. */
  readonly repeatable?: true;
}

/** The commands that take options. */
export type OptionCommand = 'run' | 'find-limit' | 'report' | 'merge' | 'compare' | 'quickstart' | 'validate' | 'init' | 'serve' | 'import';

/** Adds the options of a table to a command, in order; returns the command for chaining. */
export function addOptions(command: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    const option = new Option(spec.flags, spec.description);
    if (spec.choices !== undefined) option.choices(spec.choices);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    if (spec.mandatory === true) option.makeOptionMandatory();
    if (spec.repeatable === true) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(option);
  }
  return command;
}

/** Options of the program itself, before any command: see GlobalOptions. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [{ flags: '--no-color', description: 'no colours in the output (also NO_COLOR=1)' }];

// Shared by several commands, word for word.
const QUIET: OptionSpec = { flags: '-q, --quiet', description: 'print only the final verdict' };
const SCENARIO_HTML: OptionSpec = {
  flags: '--html <file>',
  description: "write the HTML report there (default: the scenario's report.html, else reports/NAME-TIME.html)",
};

/** The load flags: on a scenario file, overrides of its load; on a URL, the quick run's load. */
const LOAD_FLAGS: readonly OptionSpec[] = [
  {
    flags: '--users <n>',
    description:
      "virtual users: with --duration or --iterations a constant load; alone, the load's users (a ramp's end_users, an arrival rate's max_users); quick run: 10",
  },
  {
    flags: '--duration <duration>',
    description: 'how long the load lasts, e.g. 30s, 2m: with --users a constant load, with --rate an arrival rate; quick run: 10s',
  },
  { flags: '--rate <n>', description: 'iterations started per second: an arrival rate (for --duration; --users is then its max_users)' },
  { flags: '--iterations <n>', description: 'a budget of iterations shared by the users (constant load; --duration then bounds it)' },
  { flags: '--scenario <name>', description: 'in a file with several scenarios, the one whose load these flags change' },
];

/** The flags of a quick run from a URL (`loadseed run http://…`): its request and its thresholds. */
const QUICK_RUN_FLAGS: readonly OptionSpec[] = [
  { flags: '--method <method>', description: 'quick run: the HTTP method (default GET)' },
  { flags: '-H, --header <header>', description: "quick run: a request header, 'name: value' (repeatable)", repeatable: true },
  {
    flags: '--body <text|@file>',
    description: "quick run: the request body, or @file for a file's content (JSON gets content-type: application/json)",
  },
  { flags: '--p95 <latency>', description: 'quick run: a threshold on p95 latency, e.g. 200ms' },
  { flags: '--p99 <latency>', description: 'quick run: a threshold on p99 latency, e.g. 500ms' },
  { flags: '--max-error-rate <share>', description: 'quick run: a threshold on the error rate, e.g. 1% or 0.01 (default 1%)' },
];

/** Each command's options, in `--help` order. */
export const COMMAND_OPTIONS: Readonly<Record<OptionCommand, readonly OptionSpec[]>> = {
  run: [
    {
      flags: '-o, --out <file>',
      description:
        "write the JSON results there (instead of the scenario's report.json): a file, s3://BUCKET/KEY (an S3-compatible store), or - (framed on stdout, for a pod's log)",
    },
    SCENARIO_HTML,
    { flags: '--junit <file>', description: "write JUnit XML there, one test case per threshold (default: the scenario's report.junit)" },
    { flags: '--markdown <file>', description: "write a Markdown summary there (default: the scenario's report.markdown)" },
    { flags: '--json', description: 'print the results document on stdout; the summary for people goes to stderr' },
    {
      flags: '--output <kind=target>',
      description:
        "stream the figures while the run goes: jsonl=FILE (- for stdout), otlp=http://HOST:4318, prometheus-rw=http://HOST/api/v1/write (repeatable; replaces the scenario's report.outputs)",
      repeatable: true,
    },
    QUIET,
    {
      flags: '--breakdown',
      description: 'show the timing phases of each request in the summary (DNS, connect, TLS, waiting, download), not one line',
    },
    {
      flags: '--shard <i/n>',
      description:
        'run shard i of n (1-based): its exact share of the users, arrivals and iterations; `loadseed merge` combines the shards',
    },
    {
      flags: '--start-at <time>',
      description:
        'start the measured load at this ISO-8601 instant (e.g. 2026-12-07T12:00:00Z), once connected and warmed up: one t=0 for every shard',
    },
    { flags: '--start-in <duration>', description: 'start the measured load this long from now, e.g. 30s (instead of --start-at)' },
    {
      flags: '--baseline <results.json>',
      description: "compare with an earlier run's results at the end: a regression beyond --max-regression fails the run (exit 1)",
    },
    {
      flags: '--max-regression <percent>',
      description: 'with --baseline: how much worse p50/p95/p99 and throughput may be, as a share',
      defaultValue: '10%',
    },
    {
      flags: '--max-error-rate-increase <points>',
      description: 'with --baseline: how many percentage points the error rate may rise',
      defaultValue: '1%',
    },
    {
      flags: '--max-duration <duration>',
      description:
        'a hard limit on the whole run, a --start-at wait included (default: that wait + planned length + warm-up + grace period + 1m; none: no limit): stops it, writing the reports, like SIGTERM',
    },
    {
      flags: '--dashboard [port]',
      description:
        'serve a live dashboard of the run on 127.0.0.1 (default port 5665; 0: any free one), updated every second; its URL is printed on stderr',
    },
    {
      flags: '--dashboard-linger <duration>',
      description: 'with --dashboard: keep serving the final results this long after the run, e.g. 60s (default 0; Ctrl-C ends it sooner)',
    },
    ...LOAD_FLAGS,
    ...QUICK_RUN_FLAGS,
    {
      flags: '--seed <n>',
      description:
        "make $uuid, $randomInt, $randomString and $pick reproducible: the same values per user, whatever the workers (overrides the scenario's seed)",
    },
  ],
  'find-limit': [
    { flags: '--start-rate <n>', description: 'arrivals per second of the first step (overrides load.start_rate)' },
    { flags: '--step-rate <n>', description: 'arrivals per second added at each step (overrides load.step_rate)' },
    { flags: '--max-rate <n>', description: "the last step's rate at most (overrides load.max_rate)" },
    { flags: '--step-duration <duration>', description: 'how long each step holds, at least 1s, e.g. 10s (overrides load.step_duration)' },
    { flags: '--max-users <n>', description: 'most iterations in flight; arrivals beyond are dropped (overrides load.max_users)' },
    {
      flags: '--users <start:step:max>',
      description:
        'step the concurrent users up instead of the arrival rate (the closed model), e.g. 10:10:200; needs --step-duration or a breaking_point step_duration',
    },
    {
      flags: '--refine <n>',
      description:
        'bisect between the last step passed and the first failed n times (0-10), each a run of one step as long as a step: the limit to a stated precision',
    },
    {
      flags: '--baseline <results.json>',
      description:
        "an earlier find-limit's results (same scenario, same model): a limit lower by more than --max-capacity-drop fails (exit 1)",
    },
    {
      flags: '--max-capacity-drop <percent>',
      description: "with --baseline: how far the limit may fall below the baseline's (default 10%)",
    },
    {
      flags: '--max-dropped-rate <share>',
      description: 'a step fails with more of its arrivals dropped, 0 to 1 (default 0.01; overrides load.max_dropped_rate)',
    },
    {
      flags: '--min-delivered-ratio <share>',
      description: 'a step fails when it serves less of the rate offered, 0 to 1 (default 0.95; overrides load.min_delivered_ratio)',
    },
    { flags: '-o, --out <file>', description: "write the JSON results there, with the steps (instead of the scenario's report.json)" },
    SCENARIO_HTML,
    {
      flags: '--junit <file>',
      description: 'write JUnit XML there: the thresholds at the limit, and "capacity vs baseline" (default: the scenario\'s report.junit)',
    },
    {
      flags: '--max-duration <duration>',
      description:
        'a hard limit on the whole search (default: all steps + warm-up + grace period + 1m; none: no limit): stops it, writing the reports, like SIGTERM',
    },
    QUIET,
  ],
  report: [
    { flags: '--html <file>', description: 'write the HTML report there (default: the results path with .html)' },
    { flags: '--junit <file>', description: 'write JUnit XML there, one test case per threshold' },
    { flags: '--markdown <file>', description: 'write a Markdown summary there' },
    { flags: '-q, --quiet', description: 'print only the files written and the verdict' },
  ],
  merge: [
    { flags: '-o, --out <file>', description: 'write the merged results there (a file, or s3://BUCKET/KEY)', mandatory: true },
    { flags: '--html <file>', description: 'also write the HTML report of the merged results' },
    { flags: '--junit <file>', description: 'also write JUnit XML of the merged results' },
    { flags: '--markdown <file>', description: 'also write a Markdown summary of the merged results' },
    {
      flags: '--allow-partial',
      description:
        'merge an incomplete set of shards (some of --shard i/n missing), marked partial in every output, instead of refusing it',
    },
    { flags: '-q, --quiet', description: 'print only the verdict' },
  ],
  compare: [
    {
      flags: '--max-regression <percent>',
      description: 'tolerance for latency (up) and throughput (down), as a share of the baseline',
      defaultValue: '10%',
    },
    { flags: '--max-p50-regression <percent>', description: 'tolerance for p50 latency (default: --max-regression)' },
    { flags: '--max-p95-regression <percent>', description: 'tolerance for p95 latency (default: --max-regression)' },
    { flags: '--max-p99-regression <percent>', description: 'tolerance for p99 latency (default: --max-regression)' },
    { flags: '--max-throughput-regression <percent>', description: 'tolerance for a fall in req/s (default: --max-regression)' },
    {
      flags: '--max-error-rate-increase <points>',
      description: 'tolerance for the error rate, in percentage points (absolute)',
      defaultValue: '1%',
    },
    { flags: '--markdown <file>', description: 'write the comparison as Markdown there, for a pull-request comment' },
  ],
  quickstart: [
    { flags: '-o, --out <file>', description: 'write the JSON results there (default reports/quickstart.json)' },
    { flags: '--html <file>', description: 'write the HTML report there (default reports/quickstart.html)' },
    QUIET,
  ],
  validate: [
    {
      flags: '--print',
      description: 'print the effective scenario as YAML on stdout: environment substituted, load flags applied, secrets redacted',
    },
    ...LOAD_FLAGS,
    ...QUICK_RUN_FLAGS,
  ],
  init: [
    { flags: '--url <url>', description: 'the full URL of the request to test, path included (default: the built-in target)' },
    { flags: '--profile <profile>', description: 'load profile', choices: ['constant', 'ramp', 'arrival-rate'], defaultValue: 'constant' },
    { flags: '--users <n>', description: 'virtual users (arrival-rate: most iterations in flight)', defaultValue: '10' },
    { flags: '--rate <n>', description: 'arrival-rate only: iterations started per second', defaultValue: '20' },
    { flags: '--duration <duration>', description: 'how long the load lasts, e.g. 30s, 2m', defaultValue: '30s' },
    { flags: '-f, --force', description: 'overwrite the file if it exists' },
  ],
  serve: [
    { flags: '-p, --port <port>', description: 'port to listen on (0 picks a free one)', defaultValue: '8080' },
    { flags: '--host <host>', description: 'interface to listen on', defaultValue: '127.0.0.1' },
    { flags: '--grpc <port>', description: 'also serve the gRPC echo service (schemas/echo.proto) on this port (0 picks a free one)' },
  ],
  import: [
    { flags: '-o, --out <file>', description: 'write the scenario there (default: YAML on stdout)' },
    { flags: '-f, --force', description: 'with --out: overwrite the file if it exists' },
    { flags: '--include-static', description: 'har: keep static assets (images, scripts, styles, fonts), dropped by default' },
    { flags: '--target <url>', description: "the scenario's target (base URL) instead of the one the input implies" },
  ],
};
