import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { encodedRecorderBuffers } from '../metrics/recorder.js';
import type { Plan, PlannedRequest } from '../plan/build-plan.js';
import { fromSharedClock } from '../time/clock.js';
import type { PhaseName } from './execute-run.js';
import { httpTransportOf } from './http-transport.js';
import { executeSegment } from './run-plan.js';
import { shouldWarmTransport, warmTransport } from './warm-transport.js';
import type { RunProgress, RunResult } from './run-result.js';
import type { FromWorker, ToWorker, WorkerInput, WorkerOutcome, WorkerProgress } from './worker-protocol.js';

/**
 * A worker thread of `runPlan`: runs one segment of the plan with the same engine (executeRun over
 * HttpTarget), starts each phase at the t=0 the main thread sends, and reports progress and results back.
 * This is the compiled `dist/engine/worker-entry.js` that `run-workers.ts` starts.
 */
async function runSegment(port: MessagePort, input: WorkerInput): Promise<void> {
  const plan = revivePlan(input.plan);
  const controller = new AbortController();
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const startPhase = phaseStarter(port, controller, post);
  const signal = controller.signal;

  const progressIntervalMs = input.progressIntervalMs;
  if (shouldWarmTransport(plan)) await warmTransport(httpTransportOf(plan) === 'flow' ? 'flow' : 'socket');
  const context = { segment: input.segment, ...(input.setupVariables === undefined ? {} : { setupVariables: input.setupVariables }) };
  const result = await executeSegment(plan, context, {
    signal,
    startPhase,
    measureProcessCpu: false,
    ...(progressIntervalMs === undefined ? {} : { progressIntervalMs, onProgress: (progress) => postProgress(post, progress) }),
  });
  postOutcome(post, result);
  // Nothing else keeps the thread alive: it exits once the message is out.
  port.unref();
}

type Post = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

/**
 * Listens to the main thread (`abort` aborts the controller; `start` starts the phase waiting for it) and
 * returns executeRun's `startPhase`: tells the main thread this worker is ready for a phase, resolves with the
 * phase's t=0 on this thread's clock, or undefined once aborted.
 */
function phaseStarter(port: MessagePort, controller: AbortController, post: Post): (phase: PhaseName) => Promise<number | undefined> {
  let pendingStart: { readonly phase: PhaseName; readonly resolve: (originAt: number | undefined) => void } | undefined;
  port.on('message', (message: ToWorker) => {
    switch (message.kind) {
      case 'abort':
        controller.abort();
        break;
      case 'start':
        if (pendingStart?.phase === message.phase) pendingStart.resolve(fromSharedClock(message.originSharedMs));
        pendingStart = undefined;
        break;
    }
  });
  const signal = controller.signal;
  return (phase) =>
    new Promise((resolve) => {
      if (signal.aborted) {
        resolve(undefined);
        return;
      }
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      pendingStart = {
        phase,
        resolve: (originAt) => {
          signal.removeEventListener('abort', onAbort);
          resolve(originAt);
        },
      };
      post({ kind: 'ready', phase });
    });
}

/** Progress to the main thread, the recorder's buffers transferred. */
function postProgress(post: Post, progress: RunProgress): void {
  const recorder = progress.recorder.encode();
  const message: WorkerProgress = {
    kind: 'progress',
    phase: progress.phase,
    plannedDurationMs: progress.plannedDurationMs,
    activeUsers: progress.activeUsers,
    inFlight: progress.inFlight,
    stopping: progress.stopping,
    recorder,
  };
  post(message, encodedRecorderBuffers(recorder));
}

/** The segment's result to the main thread, the recorders' buffers transferred. */
function postOutcome(post: Post, result: RunResult): void {
  const recorder = result.recorder.encode();
  const warmupRecorder = result.warmupRecorder.encode();
  const thread = result.generator.threads[0];
  const outcome: WorkerOutcome = {
    recorder,
    warmupRecorder,
    warmupRan: result.warmupRan,
    elapsedMs: result.elapsedMs,
    drainMs: result.drainMs,
    interrupted: result.interrupted,
    ...(result.dataExhausted === true ? { dataExhausted: true } : {}),
    preconnectedConnections: result.preconnectedConnections,
    ...(thread === undefined ? {} : { thread }),
  };
  post({ kind: 'done', outcome }, [...encodedRecorderBuffers(recorder), ...encodedRecorderBuffers(warmupRecorder)]);
}

/** Request bodies and TLS files were Buffers; structured cloning hands them over as plain Uint8Arrays. */
function revivePlan(plan: Plan): Plan {
  const tls = plan.tls;
  return {
    ...plan,
    ...(tls === undefined
      ? {}
      : {
          tls: {
            ...tls,
            ...(tls.ca === undefined ? {} : { ca: toBuffer(tls.ca) }),
            ...(tls.cert === undefined ? {} : { cert: toBuffer(tls.cert) }),
            ...(tls.key === undefined ? {} : { key: toBuffer(tls.key) }),
          },
        }),
    requests: plan.requests.map(reviveRequest),
    ...(plan.flow === undefined ? {} : { flow: { ...plan.flow, setup: plan.flow.setup.map(reviveRequest) } }),
    ...(plan.scenarios === undefined
      ? {}
      : {
          scenarios: plan.scenarios.map((scenario) =>
            scenario.flow === undefined
              ? scenario
              : { ...scenario, flow: { ...scenario.flow, setup: scenario.flow.setup.map(reviveRequest) } },
          ),
        }),
  };
}

function reviveRequest(request: PlannedRequest): PlannedRequest {
  const body: Uint8Array | undefined = request.body;
  return body === undefined || Buffer.isBuffer(body) ? request : { ...request, body: toBuffer(body) };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

if (parentPort === null) throw new Error('worker-entry.js runs in a worker thread started by runPlan');
await runSegment(parentPort, workerData as WorkerInput);
