import type { ChalkInstance } from 'chalk';
import { formatLevel } from '../report/find-limit-summary.js';
import { printableText } from '../report/printable-text.js';
import { findLimitJudge, judgeRefinement, withFindLimit } from '../run/find-limit-judge.js';
import type { FindLimitResults } from '../run/find-limit-judge.js';
import { prepareRun } from '../run/prepare-run.js';
import type { BreakingPointLoad, StagesLoad } from '../scenario/types.js';
import { bisectionLevel, documentModel, withRefinements } from '../sla/find-limit.js';
import type { FindLimitStepDocument } from '../sla/find-limit.js';
import { singleStepLoad } from './find-limit-flags.js';
import type { CliIo } from './io.js';
import { runWithProgress } from './run-console.js';

/** What `--refine` needs of the search: its scenario, its stepped load, how to run and what to say. */
export interface RefineSearch {
  readonly file: string;
  readonly load: BreakingPointLoad | StagesLoad;
  readonly refinements: number;
  readonly maxDurationMs: number | 'none' | undefined;
  readonly quiet: boolean;
}

/**
 * `--refine N`: bisects the bracket of a search (its limit passed, the lowest load above it failed) N times, each
 * bisection a run of its own of one step, as long as a step, at the bracket's midpoint (whole users in the users
 * model), led in by a warm-up of one step at the bracket's load passed (cli/find-limit-flags.ts), judged like a step (by the search's SLA, the default one's reference being the search's first step).
 * The results come back with the refinements folded in (sla/find-limit.ts `withRefinements`); a signal or the kill
 * switch during a refinement stops refining and marks the results interrupted.
 */
export async function refineSearch(
  results: FindLimitResults,
  search: RefineSearch,
  io: CliIo,
  err: ChalkInstance,
): Promise<FindLimitResults> {
  const model = documentModel(results.findLimit);
  const firstStepP95Ms = results.findLimit.criteria === 'default' ? results.findLimit.steps[0]?.p95Ms : undefined;
  const refinements: FindLimitStepDocument[] = [];
  let current = withRefinements(results.findLimit, refinements, search.refinements);
  while (refinements.length < search.refinements && !io.signal.aborted) {
    const bracket = current.bracket;
    const level = bracket === undefined ? undefined : bisectionLevel(bracket, model);
    if (bracket === undefined || level === undefined) break;
    if (!search.quiet)
      io.stderr.write(
        err.dim(
          `… refinement ${refinements.length + 1} of ${search.refinements}: one step at ${formatLevel(level, model)}, led in by one at ${formatLevel(bracket.passedLevel, model)}\n`,
        ),
      );
    const prepared = await prepareRun({
      file: search.file,
      cwd: io.cwd,
      env: io.env,
      adjust: (loaded) => ({ ...loaded, data: { ...loaded.data, load: singleStepLoad(search.load, level, bracket.passedLevel) } }),
      outputKinds: [],
      outputFlags: {},
    });
    const judge = findLimitJudge(prepared, firstStepP95Ms);
    const executed = await runWithProgress(
      io,
      prepared.plan,
      { maxDurationMs: search.maxDurationMs, quiet: search.quiet, stopConditions: () => [] },
      err,
    );
    const step = judgeRefinement(prepared, judge, executed, results.findLimit.steps.length + refinements.length + 1);
    if (step === undefined) return withFindLimit({ ...results, verdict: 'interrupted' }, current);
    refinements.push(step);
    current = withRefinements(results.findLimit, refinements, search.refinements);
    if (!search.quiet) {
      const verdict = step.passed ? err.green('✓ passed') : err.red(`✗ ${printableText(step.reason ?? 'failed')}`);
      io.stderr.write(`  refinement at ${formatLevel(level, model)}: ${verdict}\n`);
    }
  }
  return withFindLimit(io.signal.aborted ? { ...results, verdict: 'interrupted' } : results, current);
}
