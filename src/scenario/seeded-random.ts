/**
 * Reproducible random numbers for the template helpers (`seed`, `--seed`): one stream per virtual user,
 * derived from the seed and the user's index in the whole plan (not in its worker thread or shard), so a run
 * split over threads or machines renders the same values as one thread does.
 */

/** The stream of `setup`, run once before the load, apart from every user's. */
export const SETUP_STREAM = 0xffffffff;

/** A source of numbers in [0, 1) (mulberry32), from `seed` and a stream (a user's global index). */
export function seededRandom(seed: number, stream: number): () => number {
  let state = mix(mix(seed >>> 0) ^ Math.imul((stream >>> 0) + 1, 0x9e3779b9));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's finaliser: spreads every bit of the input over the output. */
function mix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
