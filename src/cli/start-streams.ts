import type { ChalkInstance } from 'chalk';
import type { PlannedThreshold } from '../plan/thresholds.js';
import type { PreparedRun } from '../run/prepare-run.js';
import { createStreamFeed } from '../run/stream-feed.js';
import type { StreamFeed } from '../run/stream-feed.js';
import type { CliIo } from './io.js';

/**
 * The streaming outputs (`--output`, `report.outputs`), started before the load: labelled with
 * `LOADSEED_RUN_ID` (else a new id) and the shard; their one warning each goes to stderr. `thresholds` (run's
 * SLA; find-limit judges its steps instead): judged live, each change streamed as a `threshold` line.
 */
export async function startStreams(
  io: CliIo,
  { plan, streams, shard }: PreparedRun,
  err: ChalkInstance,
  thresholds?: readonly PlannedThreshold[],
): Promise<StreamFeed | undefined> {
  const runId = io.env['LOADSEED_RUN_ID'];
  const feed = await createStreamFeed(streams, plan, {
    cwd: io.cwd,
    stdout: io.stdout,
    onWarning: (message) => io.stderr.write(err.yellow(`! ${message}\n`)),
    ...(runId === undefined || runId === '' ? {} : { runId }),
    ...(shard === undefined ? {} : { shard: { index: shard.index + 1, count: shard.count } }),
    ...(thresholds === undefined ? {} : { thresholds }),
  });
  feed?.start();
  return feed;
}
