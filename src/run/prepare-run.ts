import { buildPlan } from '../plan/build-plan.js';
import type { Plan } from '../plan/build-plan.js';
import { peakUsers } from '../plan/profile.js';
import type { Segment } from '../plan/segment.js';
import { planAllThresholds } from '../plan/thresholds.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { withBaseline } from '../results/baseline.js';
import type { CompareTolerances } from '../results/compare-results.js';
import { readResultsFile } from '../results/read-results.js';
import type { ResultsDocument } from '../results/results-document.js';
import { loadScenario, withFiles } from '../scenario/load-scenario.js';
import { withLoadOverrides } from '../scenario/load-overrides.js';
import type { LoadOverrides } from '../scenario/load-overrides.js';
import type { Scenario, ScenarioData } from '../scenario/types.js';
import { checkOutputSpec } from '../outputs/output-spec.js';
import type { OutputSpec } from '../outputs/output-spec.js';
import { checkOutputPaths, scenarioInputs } from './output-paths.js';
import type { InputFile } from './output-paths.js';
import { planOutputs } from './run-outputs.js';
import type { PlannedOutput, RunOutputFlags, RunOutputKind } from './run-outputs.js';

/** What a command asks of a run, every flag already parsed. */
export interface RunRequest {
  /** The scenario file, as given (messages name it so). */
  readonly file: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The scenario's data when it comes from flags, not a file (a quick run from a URL), already checked against
   * the schema; `file` then names it in messages.
   */
  readonly data?: ScenarioData;
  /** The load flags (`--users`, `--duration`, `--rate`, `--iterations`), applied to the scenario's load and checked again. */
  readonly overrides?: LoadOverrides;
  /** The scenario as this command runs it (find-limit's stepped load); default: as loaded. */
  readonly adjust?: (scenario: Scenario) => Scenario;
  /** Run only this share of the plan (`--shard`). */
  readonly shard?: Segment;
  /** `--seed`: seeds the random template helpers, over the scenario's `seed`. */
  readonly seed?: number;
  /** The files this command writes, and where the flags say. */
  readonly outputKinds: readonly RunOutputKind[];
  readonly outputFlags: RunOutputFlags;
  /** `--output KIND=TARGET`, checked: the streaming outputs, instead of the scenario's `report.outputs`. */
  readonly streamOutputs?: readonly OutputSpec[];
  /** An earlier run's results file to compare with at the end (`--baseline`), and the tolerances. */
  readonly baseline?: { readonly file: string; readonly tolerances: CompareTolerances };
}

/** A run ready to go: everything it needs checked, nothing sent yet. */
export interface PreparedRun {
  readonly scenario: Scenario;
  readonly plan: Plan;
  readonly thresholds: readonly PlannedThreshold[];
  readonly outputs: readonly PlannedOutput[];
  /** The streaming outputs (`--output`, else `report.outputs`), checked; a jsonl file's path checked with the files. */
  readonly streams: readonly OutputSpec[];
  readonly shard?: Segment;
  readonly baseline?: { readonly file: string; readonly results: ResultsDocument; readonly tolerances: CompareTolerances };
}

/**
 * Scenario → plan → outputs, checked before anything is sent: the baseline is read (a bad one is an error now,
 * not after the load), the scenario loaded and planned, and every file the run will write must be writable and
 * overwrite nothing it reads (the scenario, its data files, the baseline) nor another output. Throws
 * ScenarioError / UsageError (exit 2).
 */
export async function prepareRun(request: RunRequest): Promise<PreparedRun> {
  const baseline =
    request.baseline === undefined
      ? undefined
      : { ...request.baseline, results: await readResultsFile(request.baseline.file, request.cwd) };
  const loaded = await loadRunScenario(request);
  const scenario = request.adjust === undefined ? loaded : request.adjust(loaded);
  const plan = shardPlan(buildPlan(scenario, request.seed === undefined ? {} : { seed: request.seed }), request.shard);
  const outputs = planOutputs({
    file: request.file,
    kinds: request.outputKinds,
    flags: request.outputFlags,
    report: scenario.data.report,
    name: plan.name,
    atEpochMs: Date.now(),
    ...(request.env['GITHUB_STEP_SUMMARY'] === undefined ? {} : { stepSummary: request.env['GITHUB_STEP_SUMMARY'] }),
  });
  const inputs: InputFile[] = scenarioInputs(scenario);
  if (baseline !== undefined) inputs.push({ path: baseline.file, what: 'the baseline (--baseline)' });
  const streams = streamOutputsOf(request, scenario);
  const streamFiles = streams
    .filter((spec) => spec.kind === 'jsonl' && spec.target !== '-')
    .map((spec) => ({ path: spec.target, source: spec.source }));
  await checkOutputPaths([...outputs, ...streamFiles], request.cwd, 'nothing was sent', inputs, { store: true });
  return {
    scenario,
    plan,
    thresholds: planAllThresholds(scenario.data),
    outputs,
    streams,
    ...(request.shard === undefined ? {} : { shard: request.shard }),
    ...(baseline === undefined ? {} : { baseline }),
  };
}

/** The scenario of a run: its file (or the data built from flags) loaded, then the load flags applied. */
export async function loadRunScenario(request: Pick<RunRequest, 'file' | 'cwd' | 'env' | 'data' | 'overrides'>): Promise<Scenario> {
  const { file, cwd, env, data } = request;
  const loaded =
    data === undefined
      ? await loadScenario(file, { env, cwd })
      : await withFiles({ file, baseDir: cwd, data, envVarsUsed: [] }, undefined, env);
  return request.overrides === undefined ? loaded : withLoadOverrides(loaded, request.overrides);
}

/** The results compared with the baseline, when the run has one (a regression fails the run). */
export function withRunBaseline(prepared: PreparedRun, results: ResultsDocument): ResultsDocument {
  const baseline = prepared.baseline;
  return baseline === undefined ? results : withBaseline(results, baseline, baseline.tolerances);
}

/** The streaming outputs: the `--output` flags when given, else the scenario's `report.outputs`, each checked. */
function streamOutputsOf(request: RunRequest, scenario: Scenario): readonly OutputSpec[] {
  if (request.streamOutputs !== undefined && request.streamOutputs.length > 0) return request.streamOutputs;
  return (scenario.data.report?.outputs ?? []).map((output, index) =>
    checkOutputSpec(output.kind, output.target, `report.outputs[${index}] in ${request.file}`),
  );
}

/** A shard runs its share with at most as many worker threads as its share has users (or iteration slots). */
function shardPlan(plan: Plan, shard: Segment | undefined): Plan {
  if (shard === undefined || plan.workers === 1) return plan;
  return { ...plan, workers: Math.max(1, Math.min(plan.workers, Math.floor(peakUsers(plan.profile) / shard.count))) };
}
