import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type RunPlanModule = typeof import('../../src/engine/run-plan.js');

const BUILT_RUN_PLAN = new URL('../../dist/engine/run-plan.js', import.meta.url);
const BUILT_WORKER = new URL('../../dist/engine/worker-entry.js', import.meta.url);

/**
 * `runPlan` of the built engine. Worker threads run the compiled engine: `new Worker(new URL('./worker-entry.js',
 * import.meta.url))` needs the .js next to the module, which exists in dist/ but not in src/ (vitest runs the
 * TypeScript sources). So tests of worker threads drive `dist/engine/run-plan.js` — `npm test` builds before it
 * runs vitest — typed as the source module it was compiled from.
 */
export async function builtRunPlan(): Promise<RunPlanModule['runPlan']> {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  return ((await import(BUILT_RUN_PLAN.href)) as RunPlanModule).runPlan;
}
