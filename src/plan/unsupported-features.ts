import type { ScenarioData } from '../scenario/types.js';

/**
 * Keys the scenario format (v1) defines but this version of the engine does not act on yet, as display
 * paths. `loadseed run` refuses such a scenario (exit 2) rather than run it without them, which would give
 * a verdict on a test other than the one written. `validate` accepts them: the file is valid.
 * Every key of v1 is supported now (`monitor` was the last): none. Kept for the next format's keys.
 */
export function unsupportedFeatures(_data: ScenarioData): string[] {
  return [];
}
