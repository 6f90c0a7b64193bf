import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { planThresholds } from '../../../src/plan/thresholds.js';
import { assembleResults } from '../../../src/results/results-document.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import type { SlaSpec } from '../../../src/scenario/types.js';

export const NAMES = ['home', 'checkout'] as const;
export const START_MS = Date.parse('2026-11-25T20:00:00.000Z');

/**
 * Records a deterministic data set: `count` outcomes spread over `durationMs` from the recorder's t=0,
 * latencies `scale` × a spread of 0.2–40 ms, one error in `errorEvery` (0: none).
 */
export function record(
  recorder: Recorder,
  options: { count: number; scale?: number; errorEvery?: number; durationMs?: number; seed?: number },
): Recorder {
  const { count, scale = 1, errorEvery = 0, durationMs = 10_000, seed = 0 } = options;
  const origin = recorder.originAt;
  recorder.setActiveUsers(5, origin);
  for (let i = 0; i < count; i++) {
    const k = (i * 7919 + seed * 104_729) % 1000;
    const latencyUs = Math.round((200 + ((k * k) % 40_000)) * scale);
    const endedAt = origin + (i * durationMs) / count;
    const requestIndex = i % 3 === 0 ? 1 : 0;
    if (errorEvery > 0 && i % errorEvery === errorEvery - 1) {
      recorder.recordError(requestIndex, ErrorCategoryId.timeout, latencyUs, latencyUs, 0, 80, endedAt);
    } else {
      recorder.recordResponse(requestIndex, 200, true, latencyUs, latencyUs - 50, 300 + (k % 7), 80, endedAt);
    }
    recorder.recordIteration();
    recorder.recordSchedulerLag(k % 90);
  }
  recorder.finish(origin + durationMs);
  return recorder;
}

export function newRecorder(originAt = 5_000): Recorder {
  const recorder = new Recorder([...NAMES]);
  recorder.start(originAt);
  return recorder;
}

/** A results document of `recorder`, as `run` would write it, with the thresholds of `sla`. */
export function resultsOf(
  recorder: Recorder,
  options: {
    sla?: SlaSpec | false;
    name?: string;
    startedAtEpochMs?: number;
    elapsedMs?: number;
    drainMs?: number;
    host?: string;
    shard?: { index: number; count: number };
  } = {},
): ResultsDocument {
  const startedAtEpochMs = options.startedAtEpochMs ?? START_MS;
  const elapsedMs = options.elapsedMs ?? 10_000;
  return assembleResults({
    scenario: { name: options.name ?? 'shop', file: 'shop.yml', plan: 'constant 5 users for 10s · 10s · 2 requests: home, checkout' },
    startedAtEpochMs,
    endedAtEpochMs: startedAtEpochMs + elapsedMs,
    elapsedMs,
    ...(options.drainMs === undefined ? {} : { drainMs: options.drainMs }),
    host: options.host ?? 'ci-1',
    interrupted: false,
    warmupExcluded: false,
    warmupRequests: 0,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    recorder,
    thresholds: planThresholds(options.sla),
    generator: {
      workers: 1,
      cpuPercent: 40,
      busyPercent: 35,
      eventLoopDelayP99Ms: 1,
      eventLoopDelayMaxMs: 4,
      schedulerLagP99Ms: 0,
      saturated: false,
      threads: [{ busyPercent: 35, saturatedTimePercent: 0, eventLoopDelayP99Ms: 1, eventLoopDelayMaxMs: 4 }],
    },
  });
}

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary directory to run the CLI in, in-process (`main(argv, io)`), with files to read and write. */
export class CliSandbox {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<CliSandbox> {
    return new CliSandbox(await mkdtemp(join(tmpdir(), 'loadseed-cli-')));
  }

  async write(name: string, content: string | ResultsDocument): Promise<string> {
    await writeFile(join(this.dir, name), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
    return name;
  }

  async read(name: string): Promise<string> {
    return readFile(join(this.dir, name), 'utf8');
  }

  async readResults(name: string): Promise<ResultsDocument> {
    return JSON.parse(await this.read(name)) as ResultsDocument;
  }

  async run(...argv: string[]): Promise<CliOutcome> {
    let stdout = '';
    let stderr = '';
    const code = await main(['--no-color', ...argv], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NO_COLOR: '1' },
      cwd: this.dir,
      signal: new AbortController().signal,
    });
    return { code, stdout, stderr };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
