import { Command, CommanderError } from 'commander';
import { ExitCode, LoadseedError, MAX_PRINTED_ISSUES, ScenarioError, exitCodeOf, formatIssue } from '../errors.js';
import { LOADSEED_VERSION } from '../version.js';
import { colorsFor } from './colors.js';
import { COMMAND_OPTIONS, GLOBAL_OPTIONS, addOptions } from './command-options.js';
import type { OptionCommand } from './command-options.js';
import type { CliIo } from './io.js';
import type { CompareCommandOptions } from './compare-command.js';
import type { FindLimitCommandOptions } from './find-limit-command.js';
import type { GlobalOptions } from './global-options.js';
import type { ImportCommandOptions } from './import-command.js';
import type { MergeCommandOptions } from './merge-command.js';
import type { ReportCommandOptions } from './report-command.js';
import type { RunCommandOptions } from './run-command-options.js';
import type { ValidateCommandOptions } from './validate-command.js';
import { printableText } from '../report/printable-text.js';

/**
 * The command line: commander wiring only. The options are data (command-options.ts); each command lives
 * in its own file and is imported lazily, so `--help` stays fast. Never exits the process: returns the exit code (bin/loadseed.js sets it).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  const program = createProgram(io);
  const context: ActionContext = {
    io,
    globals: () => program.opts<GlobalOptions>(),
    exit: (code) => {
      exitCode = code;
    },
  };
  for (const addCommand of COMMANDS) addCommand(program, context);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
    printError(error, io, !argv.includes('--no-color'));
    return exitCodeOf(error);
  }
}

/** The program itself: its output, description, version, examples and global options. */
function createProgram(io: CliIo): Command {
  const program = new Command('loadseed');
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(colorsFor(io.stderr, io.env).red(printable(text))),
    })
    .description('HTTP load testing from YAML scenarios: closed and open models, SLA thresholds, HTML and JSON reports.')
    .version(LOADSEED_VERSION, '-v, --version', 'print the version')
    .showHelpAfterError('(run loadseed --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ loadseed quickstart                       a 5-second load test against the built-in target
  $ loadseed init                             write loadseed.yml, an example scenario
  $ loadseed import har session.har -o api.yml   a scenario from a HAR, an OpenAPI document, curl lines, Artillery
  $ loadseed serve                            start the built-in target on http://127.0.0.1:8080
  $ loadseed validate loadseed.yml            check a scenario without sending anything
  $ loadseed run loadseed.yml                 run it, print a summary, write the reports
  $ loadseed run http://127.0.0.1:8080/ --users 50 --duration 30s   a quick run from a URL, no file
  $ loadseed find-limit loadseed.yml          step the rate up until the SLA breaks: the limit and the knee
  $ loadseed report results.json              render the reports of a results file
  $ loadseed merge a.json b.json -o all.json  combine the results of shards of one scenario
  $ loadseed compare base.json new.json       compare two runs; exit 1 on a regression

Exit codes: 0 passed, 1 SLA violated, 2 invalid input, 3 runtime failure, 130/143 interrupted; compare: 1 on a regression.`,
    );
  addOptions(program, GLOBAL_OPTIONS);
  return program;
}

/** What a command's action needs: the streams, the global options (read once parsed), where its exit code goes. */
interface ActionContext {
  readonly io: CliIo;
  readonly globals: () => GlobalOptions;
  readonly exit: (code: ExitCode) => void;
}

/** A command with its options from the table (command-options.ts). */
function withOptions(program: Command, name: OptionCommand): Command {
  return addOptions(program.command(name), COMMAND_OPTIONS[name]);
}

/** Each command, added in this order (the order `--help` lists them in). */
const COMMANDS: readonly ((program: Command, context: ActionContext) => void)[] = [
  addRunCommand,
  addFindLimitCommand,
  addReportCommand,
  addMergeCommand,
  addCompareCommand,
  addQuickstartCommand,
  addValidateCommand,
  addInitCommand,
  addImportCommand,
  addServeCommand,
];

function addRunCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'run')
    .description('run a scenario (or a URL, at once): generate the load, check the SLA, write the reports')
    .argument('<scenario>', 'path to a scenario YAML file, or an http(s):// URL for a quick run built from the flags')
    .addHelpText(
      'after',
      `
Examples:
  $ loadseed run scenarios/quickstart.yml
  $ loadseed run loadseed.yml --out results.json
  $ TARGET_URL=http://127.0.0.1:3000 loadseed run loadseed.yml --quiet
  $ loadseed run loadseed.yml --users 50 --duration 2m       the file's requests, a constant load of 50 users
  $ loadseed run loadseed.yml --shard 2/8 --out shard-2.json    (then: loadseed merge shard-*.json -o all.json)
  $ loadseed run loadseed.yml --shard 2/8 --start-at 2026-12-07T12:00:00Z    every shard's load starts at that instant
  $ loadseed run loadseed.yml --output prometheus-rw=http://localhost:9090/api/v1/write --output jsonl=run.jsonl
  $ loadseed run http://127.0.0.1:8080/ --users 50 --duration 30s
  $ loadseed run http://127.0.0.1:8080/echo --rate 200 --duration 30s --method POST --body @item.json -H 'x-api-key: k' --p95 200ms`,
    )
    .action(async (file: string, options: RunCommandOptions) => {
      const { runCommand } = await import('./run-command.js');
      exit(await runCommand(file, options, globals(), io));
    });
}

function addFindLimitCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'find-limit')
    .description(
      'find the breaking point: step the arrival rate (or --users) up, judge each step on its own data, stop at the first that breaks the SLA',
    )
    .argument('<scenario>', 'path to a scenario YAML file (load.profile: breaking_point, or any profile with the four step flags)')
    .addHelpText(
      'after',
      `
A step passes when the scenario's sla thresholds (run-wide ones) hold on that step's data alone; without an sla:
error rate ≤ 1% and p95 ≤ 5× the first step's p95. A step with more than 10% errors fails, and so does one
whose arrivals were not delivered (more than 1% dropped, or under 95% of the rate served). The limit is the
highest rate that passed; the knee, where p95 latency starts to climb. --refine N bisects between the last
step passed and the first failed; --users steps concurrent users instead of the rate; --baseline gates the
limit against an earlier search's.

Exit codes: 0 a limit was found (and held against --baseline), 1 the first step already failed or the limit
fell more than --max-capacity-drop below the baseline's, 2 invalid input, 130/143 interrupted.

Examples:
  $ loadseed find-limit scenarios/breaking-point.yml --out limit.json
  $ loadseed find-limit loadseed.yml --start-rate 50 --step-rate 50 --max-rate 1000 --step-duration 30s
  $ loadseed find-limit scenarios/breaking-point.yml --refine 2 --baseline main-limit.json --junit capacity.xml
  $ loadseed find-limit loadseed.yml --users 10:10:200 --step-duration 30s`,
    )
    .action(async (file: string, options: FindLimitCommandOptions) => {
      const { findLimitCommand } = await import('./find-limit-command.js');
      exit(await findLimitCommand(file, options, globals(), io));
    });
}

function addReportCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'report')
    .description('render the reports (HTML, JUnit, Markdown) of a results file, from the file alone')
    .argument('<results>', 'a results file written by run --out (or merge)')
    .addHelpText(
      'after',
      '\nExit codes: 0 reports written (whatever the verdict), 2 not a results file of this version, 3 a report not written.\n\nExamples:\n  $ loadseed report results.json                 writes results.html\n  $ loadseed report results.json --html out/report.html --junit out/sla.xml',
    )
    .action(async (file: string, options: ReportCommandOptions) => {
      const { reportCommand } = await import('./report-command.js');
      exit(await reportCommand(file, options, globals(), io));
    });
}

function addMergeCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'merge')
    .description('combine the results files of shards of one scenario: histograms merged, thresholds evaluated again')
    .argument(
      '<results...>',
      'results of the same scenario (same name, requests and thresholds): files, logs holding `run --out -` frames (- for stdin), s3://BUCKET/PREFIX/ or s3://BUCKET/KEY.json',
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 merged thresholds met, 1 one violated (or a shard interrupted or aborted), 2 files not of one scenario, or an incomplete set of shards (without --allow-partial).\n\nExamples:\n  $ loadseed merge shard-1.json shard-2.json shard-3.json -o merged.json\n  $ loadseed merge shards/*.json -o merged.json --junit merged.xml\n  $ kubectl logs -l job-name=loadseed-shards --tail=-1 | loadseed merge - -o merged.json\n  $ loadseed merge s3://my-bucket/run-1/shards/ -o s3://my-bucket/run-1/merged.json',
    )
    .action(async (files: string[], options: MergeCommandOptions) => {
      const { mergeCommand } = await import('./merge-command.js');
      exit(await mergeCommand(files, options, globals(), io));
    });
}

function addCompareCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'compare')
    .description('compare a run with a baseline: p50/p95/p99, throughput and error rate per request; exit 1 on a regression')
    .argument('<baseline>', 'the baseline results file')
    .argument('<current>', 'the results file to judge')
    .addHelpText(
      'after',
      '\nExit codes: 0 no regression beyond tolerance, 1 at least one, 2 invalid option or file.\n\nExamples:\n  $ loadseed compare baseline.json results.json\n  $ loadseed compare baseline.json results.json --max-regression 5% --max-p95-regression 10% --markdown compare.md',
    )
    .action(async (baseline: string, current: string, options: CompareCommandOptions) => {
      const { compareCommand } = await import('./compare-command.js');
      exit(await compareCommand(baseline, current, options, globals(), io));
    });
}

function addQuickstartCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'quickstart')
    .description('start the built-in target on a free loopback port and run scenarios/quickstart.yml against it')
    .addHelpText('after', '\nExamples:\n  $ loadseed quickstart\n  $ npm run quickstart          from a clone: builds, then runs this')
    .action(async (options: { out?: string; html?: string; quiet?: boolean }) => {
      const { quickstartCommand } = await import('./quickstart-command.js');
      exit(await quickstartCommand(options, globals(), io));
    });
}

function addValidateCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'validate')
    .description('check a scenario against the schema and print its plan; sends nothing')
    .argument('<scenario>', 'path to a scenario YAML file, or an http(s):// URL (a quick run, as run builds it)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ loadseed validate loadseed.yml\n  $ USERS=50 loadseed validate scenarios/ramp.yml\n  $ loadseed validate loadseed.yml --users 50 --duration 2m --print',
    )
    .action(async (file: string, options: ValidateCommandOptions) => {
      const { validateCommand } = await import('./validate-command.js');
      exit(await validateCommand(file, options, globals(), io));
    });
}

function addInitCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'init')
    .description('write a commented, valid example scenario')
    .argument('[file]', 'where to write it', 'loadseed.yml')
    .addHelpText(
      'after',
      '\nExamples:\n  $ loadseed init\n  $ loadseed init api.yml --url http://127.0.0.1:3000/api/items --users 50 --duration 2m\n  $ loadseed init ramp.yml --profile ramp --users 100 --duration 5m',
    )
    .action(async (file: string, options: Record<string, string | boolean | undefined>) => {
      const { initCommand } = await import('./init-command.js');
      exit(await initCommand(file, options, globals(), io));
    });
}

function addImportCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'import')
    .description('turn a HAR, an OpenAPI document, curl command lines or an Artillery script into a scenario that validates')
    .argument('<format>', 'har, openapi, curl or artillery')
    .argument('<file>', 'the input file (- for standard input)')
    .addHelpText(
      'after',
      `
Secrets of the input (Authorization, Cookie, X-API-Key… headers, passwords, tokens) become \${ENV} placeholders,
listed at the top of the file and on stderr. The scenario is checked as \`loadseed validate\` checks it before it is
written; its load is one user for 10s, to try it first.

Exit codes: 0 written, 2 unknown format, unreadable or malformed input, or --out exists (without --force).

Examples:
  $ loadseed import har session.har -o session.yml
  $ loadseed import curl requests.txt -o api.yml --target http://127.0.0.1:3000
  $ pbpaste | loadseed import curl - > api.yml
  $ loadseed import openapi openapi.yaml -o api.yml
  $ loadseed import artillery artillery.yml -o converted.yml`,
    )
    .action(async (format: string, file: string, options: ImportCommandOptions) => {
      const { importCommand } = await import('./import-command.js');
      exit(await importCommand(format, file, options, globals(), io));
    });
}

function addServeCommand(program: Command, { io, globals, exit }: ActionContext): void {
  withOptions(program, 'serve')
    .description('start the built-in target server (loopback only by default) to test against')
    .addHelpText(
      'after',
      `
Routes:
  /                      200 "ok"
  /delay/:ms             answers after ms milliseconds
  /status/:code          answers with that status code
  /json                  a small JSON document
  /bytes/:n              n bytes of body
  /echo                  the request, as JSON
  /flaky?rate=0.05       that share of 500s
  /latency?mean=50&p99=200  random latency with that mean and p99 (ms)
  /capacity?rps=200      a server of known capacity: at most rps req/s, queued beyond (503 when the queue is full)

Examples:
  $ loadseed serve
  $ loadseed serve --port 0
  $ loadseed serve --grpc 50051            also the gRPC echo service of schemas/echo.proto`,
    )
    .action(async (options: { port: string; host: string; grpc?: string }) => {
      const { serveCommand } = await import('./serve-command.js');
      exit(await serveCommand(options, globals(), io));
    });
}

/** One clear message for a user's mistake; a stack trace only for a bug (exit 3). */
export function printError(error: unknown, io: CliIo, color = true): void {
  const c = colorsFor(io.stderr, io.env, !color);
  if (error instanceof ScenarioError) {
    for (const issue of error.issues.slice(0, MAX_PRINTED_ISSUES)) io.stderr.write(`${c.red('✗')} ${printable(formatIssue(issue))}\n`);
    const count = error.issues.length;
    const more = count - MAX_PRINTED_ISSUES;
    if (more > 0) io.stderr.write(`… and ${more} more problem${more === 1 ? '' : 's'}\n`);
    io.stderr.write(c.red(`${count} problem${count === 1 ? '' : 's'} in ${printable(error.file)}\n`));
  } else if (error instanceof LoadseedError) {
    io.stderr.write(`${c.red('error:')} ${printable(error.message)}\n`);
  } else {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`${c.red('loadseed failed unexpectedly (a bug: please report it):')}\n${text}\n`);
  }
}

/** A message, line by line through printableText: its own line breaks kept, nothing else that moves the cursor. */
export function printable(text: string): string {
  return text.split('\n').map(printableText).join('\n');
}
