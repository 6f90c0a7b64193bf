import { closest, distance } from 'fastest-levenshtein';
import { UsageError } from '../errors.js';

/**
 * Refuses an option the API does not know (`timeoutSecs` for `timeoutSeconds`): JavaScript callers have no
 * compiler to tell them, and an option ignored in silence runs a different test than the one written.
 */
export function checkOptionNames(where: string, options: object, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const lower = name.toLowerCase();
    // `duration` for `durationSeconds`: the unit left off is the commonest slip, and far in edit distance.
    const stem = known.find((option) => option.toLowerCase().startsWith(lower) || lower.startsWith(option.toLowerCase()));
    const nearest = stem ?? closest(name, known);
    const hint =
      stem !== undefined || distance(lower, nearest.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3))
        ? `; did you mean ${nearest}?`
        : `; known: ${known.join(', ')}`;
    throw new UsageError(`${where}: unknown option ${JSON.stringify(name)}${hint}`);
  }
}
