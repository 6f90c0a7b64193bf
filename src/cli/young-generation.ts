import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial size for the whole process (worker threads included: V8 flags
 * are process-wide). By default it grows to 2 × 16 MiB as start-up (modules, the schema compile, the warm-up)
 * allocates, and RSS keeps those pages: about 20 MiB of a plain run's peak. Held small, scavenges come more
 * often but each copies less, so each pause is shorter; the CPU per request measured the same (bench/README.md).
 * `--semi-space-growth-factor` is the one young-generation flag V8 still reads after start-up. The CLI's
 * process only: the programmatic API leaves its host's heap alone.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
