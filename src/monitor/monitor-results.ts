/** What a monitor source is: a local process (by pid or command) or a Prometheus text endpoint. */
export type MonitorSourceKind = 'process' | 'prometheus';

/** One sample of a source, as the results file keeps it. */
export interface MonitorPoint {
  /** When the sample was taken, ms from the measured phase's t=0 (`run.startedAt`). */
  readonly offsetMs: number;
  /**
   * CPU used over the interval that ends here, in % of one core (200: two cores busy), rounded to 0.1; null
   * when unknown (the first sample of a source, or one that failed).
   */
  readonly cpuPercent: number | null;
  /** Resident memory (RSS) then, in bytes; null when unknown. */
  readonly memoryBytes: number | null;
  /**
   * Process sources on Linux: how long the process's main thread was runnable but waiting for a CPU over the
   * interval, in % of it, rounded to 0.1 (high: the machine gave it less CPU than it had work for). Absent when
   * unknown (other sources, the first sample, files written before it existed).
   */
  readonly waitPercent?: number;
}

/** A process that a process source sampled: which one it was, and from when. */
export interface MonitoredProcess {
  readonly pid: number;
  /**
   * Its command line as `ps` shows it (arguments joined by spaces; `[name]` for a kernel thread; '' when it
   * could not be read), control characters as spaces, clipped to 200 characters (`…`).
   */
  readonly commandLine: string;
  /** When it was first sampled, ms from `run.startedAt`; 0 when it already was as the measured phase began. */
  readonly fromOffsetMs: number;
}

/**
 * One source's samples over the measured phase: at most 240 points (past that, neighbours are merged
 * pairwise: CPU averaged, memory the larger), and what went wrong, once per reason with how often.
 */
export interface MonitorSourceResults {
  readonly name: string;
  readonly kind: MonitorSourceKind;
  /** `pid 1234`, `command nginx`, or the endpoint's URL (a password in it shown as `***`). */
  readonly target: string;
  /** The sampling interval asked for (points are that far apart, or a multiple of it once merged). */
  readonly intervalMs: number;
  readonly points: readonly MonitorPoint[];
  /**
   * Process sources: the process sampled, so that a reader knows which one `command` matched. More than one
   * when it exited and the command was looked up again (a restarted server), in that order; at most 16 (the
   * first 15 and the last). Empty when no process was ever sampled; absent for other kinds (and in files
   * written before it existed).
   */
  readonly processes?: readonly MonitoredProcess[];
  /** `cannot reach the endpoint (ECONNREFUSED): 3 of 10 samples`, one per reason; empty when all went well. */
  readonly warnings: readonly string[];
}

/** Every source of a run's `monitor`, in the order of the scenario. */
export type MonitorResults = readonly MonitorSourceResults[];
