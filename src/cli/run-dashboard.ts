import type { ChalkInstance } from 'chalk';
import { startDashboard } from '../dashboard/dashboard-server.js';
import type { Dashboard } from '../dashboard/dashboard-server.js';
import { UsageError } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { formatDuration } from '../scenario/duration.js';
import type { CliIo } from './io.js';
import type { DashboardRequest } from './run-flags.js';

/**
 * `run --dashboard`: starts the live dashboard before the load (a port that cannot be had is exit 2, nothing
 * sent) and says where it is on stderr — even with --quiet, since the URL is what was asked for.
 */
export async function openDashboard(
  io: CliIo,
  request: DashboardRequest,
  run: { readonly plan: Plan; readonly thresholds: readonly PlannedThreshold[] },
  err: ChalkInstance,
): Promise<Dashboard> {
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({
      port: request.port,
      plan: run.plan,
      thresholds: run.thresholds,
      onError: (error) => io.stderr.write(err.yellow(`\n! dashboard: no more live frames (${error.message}); the run goes on\n`)),
    });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`--dashboard ${request.port}: ${error.message}`);
    throw error;
  }
  io.stderr.write(`${err.green('▶')} dashboard: ${dashboard.url}\n`);
  return dashboard;
}

/**
 * `--dashboard-linger`: once the run is over (results written, summary printed), the dashboard keeps serving its
 * final numbers this long, or until SIGINT/SIGTERM. An interrupted run does not linger. The exit code stays the run's.
 */
export async function lingerOn(io: CliIo, dashboard: Dashboard, lingerMs: number, err: ChalkInstance): Promise<void> {
  if (lingerMs <= 0 || io.signal.aborted) return;
  io.stderr.write(err.dim(`dashboard: the final results stay at ${dashboard.url} for ${formatDuration(lingerMs)} (Ctrl-C to end)\n`));
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      io.signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, lingerMs);
    io.signal.addEventListener('abort', done, { once: true });
  });
}
