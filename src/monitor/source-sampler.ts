import type { MonitorSourceKind } from './monitor-results.js';
import type { MonitorReading } from './monitor-series.js';

/** A process a sampler read figures of, from when (ms on the sampler's clock). */
export interface SampledProcess {
  readonly pid: number;
  readonly commandLine: string;
  readonly atMs: number;
}

/** Samples one monitor source. Holds what a CPU rate needs: the previous reading of a counter. */
export interface SourceSampler {
  readonly name: string;
  readonly kind: MonitorSourceKind;
  /** `pid 1234`, `command nginx`, or the endpoint's URL (a password in it shown as `***`). */
  readonly target: string;
  /**
   * Takes one reading: null figures when it failed (the reason counted in `warnings`), undefined when the
   * source cannot be sampled at all here (process sources off Linux). Never rejects.
   */
  sample(): Promise<MonitorReading | undefined>;
  /** Process sources: each process sampled, in the order first sampled (at most 16: the first 15 and the last). */
  processes?(): readonly SampledProcess[];
  /** What went wrong, once per reason, with how many of `samples` it affected. */
  warnings(samples: number): string[];
}
