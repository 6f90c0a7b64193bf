/**
 * Runs `run` (synchronous) and says how much CPU time this process spent meanwhile (ms, user + system): the
 * work it took, which a busy machine does not inflate the way it stretches wall-clock time (a thread waiting
 * for a core spends none). For budgets on synchronous calls, such as a parser's per call.
 */
export function withCpuTime<T>(run: () => T): { readonly value: T; readonly cpuMs: number } {
  const before = process.cpuUsage();
  const value = run();
  const spent = process.cpuUsage(before);
  return { value, cpuMs: (spent.user + spent.system) / 1000 };
}
