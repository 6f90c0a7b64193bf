import { displayPath } from '../scenario/source-map.js';
import { requestsOf } from '../scenario/types.js';
import type { ScenarioData } from '../scenario/types.js';

/**
 * Keys the scenario format (v1) defines but this version of the engine does not act on yet, as display
 * paths. `loadseed run` refuses such a scenario (exit 2) rather than run it without them, which would give
 * a verdict on a test other than the one written. `validate` accepts them: the file is valid.
 */
export function unsupportedFeatures(data: ScenarioData): string[] {
  const found: string[] = [];
  const top = ['setup', 'before', 'data', 'variables', 'monitor'] as const;
  for (const key of top) if (data[key] !== undefined) found.push(key);
  const http = data.http ?? {};
  for (const key of ['http2', 'cookies', 'tls', 'redirects'] as const) {
    if (http[key] !== undefined && http[key] !== false) found.push(`http.${key}`);
  }
  if (data.defaults?.expect !== undefined && !isStatusOnly(data.defaults.expect)) found.push('defaults.expect');
  for (const { spec, path } of requestsOf(data)) {
    if (spec.capture !== undefined) found.push(displayPath([...path, 'capture']));
    if (spec.expect !== undefined && !isStatusOnly(spec.expect)) found.push(displayPath([...path, 'expect']));
  }
  return found;
}

/** `expect` as a status, a list of statuses, or `{status}` alone: what the engine checks today. */
function isStatusOnly(expect: unknown): boolean {
  if (typeof expect === 'number' || Array.isArray(expect)) return true;
  return typeof expect === 'object' && expect !== null && Object.keys(expect).every((key) => key === 'status');
}
