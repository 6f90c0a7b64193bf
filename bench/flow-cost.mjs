// Flow cost: CPU per request of a user journey on its two HTTP clients, loadseed's raw sockets and undici.
//
//   npm run build && taskset -c 1 node bench/flow-cost.mjs [--seconds 3] [--users 100] [--rounds 7] [--server-cpu 0] [--static]
//
// (taskset pins loadseed to core 1; --server-cpu pins the target, through taskset, to another core.)
// Starts the built-in target (`loadseed serve`, its demo API) on 127.0.0.1 in a child process (its CPU is not
// counted), then runs the 3-step flow of bench/flow-compare.sh (POST /login with a templated JSON body from a
// data file and a capture of the token; GET /me with the token as bearer auth and a JSON check; GET /cart with
// the session cookie) through the whole engine (runPlan, one thread) in turns: on the raw-socket client (the
// default for HTTP/1.1) and on undici (`http: {http2: true}`, which keeps a flow on undici: HTTP/1.1 still,
// the target being http:), `rounds` times, interleaved so that drift (CPU frequency, the JIT, a busy machine)
// hits both alike. Each run's CPU (process.cpuUsage, user + system, this process only: no process start, no
// module loading) is divided by the requests it completed. A first round warms up and is not counted. Prints
// each round, the medians, their ratio (sockets / undici) and the median of the paired differences. With
// --static, a third variant in each round, a static GET / (the raw-socket fast path, no journey): the scale
// that makes a figure from a busy machine comparable to one from a quiet machine.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPlan } from '../dist/engine/run-plan.js';
import { buildPlan } from '../dist/plan/build-plan.js';
import { loadScenario } from '../dist/scenario/load-scenario.js';

const FLOW_CLIENTS = ['sockets', 'undici'];

if (process.argv[2] === '--server') {
  const { startTargetServer } = await import('../dist/target/target-server.js');
  const server = await startTargetServer({ host: '127.0.0.1', port: 0 });
  process.send?.(server.port);
  process.on('message', (message) => {
    if (message === 'stop') void server.close().then(() => process.exit(0));
  });
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      users: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '7' },
      'server-cpu': { type: 'string' },
      static: { type: 'boolean', default: false },
    },
  });
  const variants = values.static ? [...FLOW_CLIENTS, 'static'] : FLOW_CLIENTS;
  const seconds = Number(values.seconds);
  const users = Number(values.users);
  const rounds = Number(values.rounds);
  const server = [process.execPath, new URL(import.meta.url).pathname, '--server'];
  const pinned = values['server-cpu'] === undefined ? server : ['taskset', '-c', values['server-cpu'], ...server];
  const child = spawn(pinned[0], pinned.slice(1), { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.once('message', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'loadseed-flow-cost-'));
  try {
    await writeFile(join(dir, 'users.csv'), 'username,password\nalice,pw-alice\nbob,pw-bob\ncarol,pw-carol\ndave,pw-dave\n');
    const scenario = (client) =>
      [
        `target: http://127.0.0.1:${port}`,
        ...(client === 'undici' ? ['http: {http2: true}'] : []),
        'data: [{file: users.csv}]',
        'flows:',
        '  - name: shop',
        '    steps:',
        '      - name: login',
        '        method: POST',
        '        path: /login',
        '        json: {username: "{{ username }}", password: "{{ password }}"}',
        '        capture: [{as: token, json: $.token}]',
        '      - name: me',
        '        path: /me',
        '        auth: {bearer: "{{ token }}"}',
        '        expect: {status: 200, json: [{path: $.status, equals: ok}]}',
        '      - name: cart',
        '        path: /cart',
        `load: {profile: constant, users: ${users}, duration: ${seconds}s}`,
        '',
      ].join('\n');
    const plans = {};
    for (const variant of variants) {
      const text =
        variant === 'static'
          ? [
              `target: http://127.0.0.1:${port}`,
              'requests: [{path: /}]',
              `load: {profile: constant, users: ${users}, duration: ${seconds}s}`,
              '',
            ].join('\n')
          : scenario(variant);
      await writeFile(join(dir, `${variant}.yml`), text);
      plans[variant] = buildPlan(await loadScenario(join(dir, `${variant}.yml`), { env: {} }));
    }
    const figures = Object.fromEntries(variants.map((variant) => [variant, []]));
    console.log(`node ${process.version}, ${users} users, ${seconds} s per run, ${rounds} rounds; CPU µs per request (this process)`);
    for (let round = 0; round <= rounds; round++) {
      const line = [];
      // The order alternates, so that neither client always runs first.
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        const { us, requestsPerSec } = await cpuPerRequest(plans[variant]);
        if (round > 0) figures[variant].push(us);
        line.push(`${variant} ${us.toFixed(2)} µs (${requestsPerSec.toFixed(0)} req/s)`);
      }
      console.log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${line.join(', ')}`);
    }
    const sockets = median(figures.sockets);
    const undici = median(figures.undici);
    const paired = median(figures.sockets.map((us, index) => us - figures.undici[index]));
    console.log(
      `median: sockets ${sockets.toFixed(2)} µs, undici ${undici.toFixed(2)} µs, ratio ${(sockets / undici).toFixed(3)}; ` +
        `median of the paired differences ${paired.toFixed(2)} µs per request`,
    );
    if (values.static) {
      const scale = median(figures.static);
      console.log(
        `static GET / ${scale.toFixed(2)} µs: the flow costs ${(sockets / scale).toFixed(2)}× it on sockets, ${(undici / scale).toFixed(2)}× on undici`,
      );
    }
  } finally {
    child.send('stop');
    await rm(dir, { recursive: true, force: true });
  }
}

async function cpuPerRequest(plan) {
  const before = process.cpuUsage();
  const startedAt = performance.now();
  const result = await runPlan(plan);
  const cpu = process.cpuUsage(before);
  const elapsedS = (performance.now() - startedAt) / 1000;
  const { total } = result.recorder.snapshot();
  if (total.failures > 0) throw new Error(`${total.failures} failures: the bench needs every request to succeed`);
  return { us: (cpu.user + cpu.system) / total.requests, requestsPerSec: total.requests / elapsedS };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
