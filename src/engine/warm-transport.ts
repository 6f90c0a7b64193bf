import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Plan } from '../plan/build-plan.js';
import { compileRequest } from '../plan/compile-request.js';
import { profileDurationMs } from '../plan/profile.js';
import { executeRun } from './execute-run.js';
import { SocketHttpTarget } from '../transport/socket-http-target.js';
import type { StepTarget } from '../transport/step-target.js';
import { IterationSteps } from './workload.js';

/** Below this planned length a run is a smoke test: warming (≈0.1–0.2 s) would cost more than it saves. */
const WARM_MIN_PLANNED_MS = 2_000;
const WARM_USERS = 8;
const WARM_ITERATIONS = 4_000;
/** The flow path costs more per request (and loads undici, its parser compiled on first use): fewer suffice. */
const WARM_FLOW_ITERATIONS = 1_500;
const SINK_RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}',
);
const END_OF_HEAD = Buffer.from('\r\n\r\n');

/**
 * Whether a run should warm its transport first: a plan measured for a couple of seconds or more, with no
 * warm-up of its own (which warms everything on the real target).
 */
export function shouldWarmTransport(plan: Pick<Plan, 'profile' | 'warmup'>): boolean {
  return plan.warmup === undefined && profileDurationMs(plan.profile) >= WARM_MIN_PLANNED_MS;
}

/**
 * Runs the whole request path — executor, virtual users, the transport (`socket`: loadseed's sockets and
 * response scanner; `flow`: undici, templates, checks, captures, cookies), recorder — for a few thousand
 * requests against a throwaway server of loadseed's own on 127.0.0.1, before the real t=0: the first measured
 * second then runs optimised code instead of paying V8's lazy compilation (and undici's parser set-up) in its
 * latency tail. Nothing reaches the target; nothing measured here is kept.
 */
export async function warmTransport(transport: 'socket' | 'flow' = 'socket'): Promise<void> {
  const sockets = new Set<Socket>();
  const sink = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let end = pending.indexOf(END_OF_HEAD);
      while (end !== -1) {
        socket.write(SINK_RESPONSE);
        pending = pending.subarray(end + END_OF_HEAD.length);
        end = pending.indexOf(END_OF_HEAD);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    sink.once('error', reject);
    sink.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const address = sink.address();
    if (address === null || typeof address === 'string') return;
    const origin = `http://127.0.0.1:${address.port}`;
    const iterations = transport === 'flow' ? WARM_FLOW_ITERATIONS : WARM_ITERATIONS;
    await executeRun(
      {
        profile: { kind: 'constant-users', users: WARM_USERS, iterations, durationMs: 2_000 },
        gracePeriodMs: 200,
        requestNames: ['warm'],
        timeoutsMs: [1_000],
        thinkAfter: [undefined],
        maxLatencyUs: new Float64Array(1),
        iteration: new IterationSteps({
          order: 'sequence',
          choices: [{ name: 'warm', weight: 1, steps: [{ kind: 'request', requestIndex: 0 }] }],
        }),
      },
      await warmTarget(transport, origin),
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}

/** A one-request target on the sink: a static GET, or (flow) a templated one whose response is checked and captured. */
async function warmTarget(transport: 'socket' | 'flow', origin: string): Promise<StepTarget> {
  if (transport === 'socket') return new SocketHttpTarget([compileRequest({ name: 'warm', path: '/' }, origin)], { keepAlive: true });
  const request = compileRequest(
    {
      name: 'warm',
      path: '/warm/{{ $randomInt(1, 9) }}',
      headers: { 'x-warm': '{{ $uuid }}' },
      expect: { json: [{ path: '$.ok', equals: true }] },
      capture: [{ as: 'ok', json: '$.ok' }],
    },
    origin,
  );
  const { FlowTarget } = await import('../flow/flow-target.js');
  return new FlowTarget(
    [request],
    {
      variables: {},
      feeders: [],
      cookies: true,
      redirects: { follow: false, max: 0, allowOrigins: [] },
      http2: false,
      setup: [],
      secretVariables: [],
      secretHeaders: [],
    },
    { keepAlive: true },
  );
}
