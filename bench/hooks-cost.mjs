// Hooks cost: CPU per request of a before_request + after_response hook that do nothing, on the flow path.
//
//   npm run build && taskset -c 1 node bench/hooks-cost.mjs [--seconds 3] [--users 4] [--rounds 7] [--server-cpu 0] [--hooks both|before|after]
//
// (taskset pins loadseed to core 1; --server-cpu pins the target, through taskset, to another core.)
// Starts a plain node:http server on 127.0.0.1 in a child process (its CPU is not counted), then runs the
// same scenario through the whole engine (runPlan, one thread) in turns: without hooks, then with a no-op
// before_request and after_response, `rounds` times, interleaved so that drift (CPU frequency, the JIT) hits
// both alike. Each run's CPU (process.cpuUsage, user + system, this process only) is divided by the requests
// it completed. A first round warms up and is not counted. Prints each round, the medians, and the difference and ratio (hooks / none). Both runs take
// the flow path (a check on the status makes them user journeys); hooks add only their own work to it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPlan } from '../dist/engine/run-plan.js';
import { HookRequest, HookResponse, isThenable, verdictOf } from '../dist/flow/hooks.js';
import { buildPlan } from '../dist/plan/build-plan.js';
import { loadScenario } from '../dist/scenario/load-scenario.js';

/** `--hooks`: which of the two no-op hooks the runs with hooks have. */
const HOOK_KEYS = {
  both: 'before_request: before, after_response: after',
  before: 'before_request: before',
  after: 'after_response: after',
};

if (process.argv[2] === '--server') {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send?.(server.address().port));
  process.on('message', (message) => {
    if (message === 'stop') server.close(() => process.exit(0));
  });
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      users: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '7' },
      'server-cpu': { type: 'string' },
      hooks: { type: 'string', default: 'both' },
    },
  });
  const seconds = Number(values.seconds);
  const users = Number(values.users);
  const rounds = Number(values.rounds);
  const server = [process.execPath, new URL(import.meta.url).pathname, '--server'];
  const pinned = values['server-cpu'] === undefined ? server : ['taskset', '-c', values['server-cpu'], ...server];
  const child = spawn(pinned[0], pinned.slice(1), { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.once('message', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'loadseed-hooks-cost-'));
  try {
    await writeFile(join(dir, 'noop.mjs'), 'export function before() {}\nexport function after() {}\n');
    const scenario = (hooks) =>
      [
        `target: http://127.0.0.1:${port}`,
        ...(hooks ? ['hooks: ./noop.mjs', `defaults: {${HOOK_KEYS[values.hooks]}}`] : []),
        'requests: [{path: /, headers: {user-agent: loadseed-bench, accept: text/plain}, expect: {status: 200, headers: {content-type: text/plain}}}]',
        `load: {profile: constant, users: ${users}, duration: ${seconds}s}`,
        '',
      ].join('\n');
    await writeFile(join(dir, 'none.yml'), scenario(false));
    await writeFile(join(dir, 'hooks.yml'), scenario(true));
    const plans = {
      none: buildPlan(await loadScenario(join(dir, 'none.yml'), { env: {} })),
      hooks: buildPlan(await loadScenario(join(dir, 'hooks.yml'), { env: {} })),
    };
    const figures = { none: [], hooks: [] };
    console.log(`node ${process.version}, ${users} users, ${seconds} s per run, ${rounds} rounds; CPU µs per request (this process)`);
    for (let round = 0; round <= rounds; round++) {
      const line = [];
      for (const kind of ['none', 'hooks']) {
        const us = await cpuPerRequest(plans[kind]);
        if (round > 0) figures[kind].push(us);
        line.push(`${kind} ${us.toFixed(2)}`);
      }
      console.log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${line.join(', ')}`);
    }
    const none = median(figures.none);
    const hooks = median(figures.hooks);
    const paired = median(figures.hooks.map((us, index) => us - figures.none[index]));
    console.log(
      `median: none ${none.toFixed(2)} µs, hooks ${hooks.toFixed(2)} µs, ratio ${(hooks / none).toFixed(3)}; ` +
        `median of the paired differences ${paired.toFixed(2)} µs per request`,
    );
    console.log(
      `the hooks' own work alone (a tight loop of what the flow session does per request): ${hookWorkUs().toFixed(3)} µs per request`,
    );
  } finally {
    child.send('stop');
    await rm(dir, { recursive: true, force: true });
  }
}

async function cpuPerRequest(plan) {
  const before = process.cpuUsage();
  const result = await runPlan(plan);
  const cpu = process.cpuUsage(before);
  const { total } = result.recorder.snapshot();
  if (total.failures > 0) throw new Error(`${total.failures} failures: the bench needs every request to succeed`);
  return (cpu.user + cpu.system) / total.requests;
}

/**
 * What a session does for a request with both no-op hooks, without the network: a HookRequest from the
 * rendered request, the hook called, the request rebuilt from it, a HookResponse, the verdict. CPU µs per call.
 */
function hookWorkUs() {
  const outgoing = {
    method: 'GET',
    origin: 'http://127.0.0.1:8080',
    path: '/',
    headers: ['user-agent', 'loadseed-bench', 'accept', 'text/plain'],
  };
  const result = {
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: Buffer.from('ok'),
    bodyBytes: 2,
    bytesIn: 60,
    bytesOut: 60,
  };
  const context = { user: 0, vars: { get: () => undefined, set: () => undefined } };
  const before = () => undefined;
  const after = () => undefined;
  let sink = 0;
  const once = () => {
    const request = new HookRequest(outgoing);
    if (isThenable(before(request, context))) sink++;
    sink += request.toOutgoing().headers.length;
    const verdict = after(new HookResponse(result), context);
    if (verdictOf(verdict) !== undefined) sink++;
  };
  for (let index = 0; index < 200_000; index++) once();
  const calls = 2_000_000;
  const start = process.cpuUsage();
  for (let index = 0; index < calls; index++) once();
  const cpu = process.cpuUsage(start);
  if (sink === 0) throw new Error('unreachable');
  return (cpu.user + cpu.system) / calls;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
