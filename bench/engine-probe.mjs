// Engine probe: requests/s through the whole engine (runPlan: virtual users, recorder, deadline sweeper),
// to compare with the raw dispatch loop of transport-probe.mjs. Needs `npx tsc -p tsconfig.json` first.
//
//   node bench/engine-probe.mjs [seconds=5] [users=16]
//
// The target is the same plain node:http server, in a child process, on 127.0.0.1.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runPlan } from '../dist/engine/run-plan.js';
import { compileRequest } from '../dist/plan/compile-request.js';

const seconds = Number(process.argv[2] ?? 5);
const users = Number(process.argv[3] ?? 16);
const child = fork(fileURLToPath(new URL('./transport-probe.mjs', import.meta.url)), ['--server'], { stdio: 'inherit' });
const port = await new Promise((resolve) => child.once('message', resolve));
try {
  const plan = {
    name: 'engine-probe',
    scenarioFile: 'engine-probe',
    profileName: 'constant',
    profile: { kind: 'constant-users', users, durationMs: seconds * 1000 },
    gracePeriodMs: 1000,
    keepAlive: true,
    requests: [compileRequest({ path: '/', headers: { 'user-agent': 'loadseed-probe' } }, `http://127.0.0.1:${port}`)],
    iteration: { order: 'sequence', choices: [{ name: 'r', weight: 1, steps: [{ kind: 'request', requestIndex: 0 }] }] },
  };
  const result = await runPlan(plan);
  const { total } = result.recorder.snapshot();
  console.log(
    `node ${process.version}, ${users} users, ${seconds} s: ${((total.requests * 1000) / result.elapsedMs).toFixed(0)} req/s, ` +
      `p50 ${(total.responseTime.p50Us / 1000).toFixed(3)} ms, p99 ${(total.responseTime.p99Us / 1000).toFixed(3)} ms, ` +
      `failures ${total.failures}`,
  );
} finally {
  child.send('stop');
}
