// Timing-breakdown cost: CPU per request of the raw-socket fast path, one build against another (before and
// after a change such as the timing phases), interleaved.
//
//   taskset -c 1 node bench/timing-cost.mjs --before /tmp/before/dist --after dist [--seconds 3] [--users 4] [--rounds 9] [--server-cpu 0]
//
// (taskset pins loadseed to core 1; --server-cpu pins the target, through taskset, to another core.)
// Starts a plain node:http server on 127.0.0.1 in a child process (its CPU is not counted) and one loadseed
// process per build (each imports its own dist/), kept alive for every round so that both stay warm. Each
// round runs the same static scenario (`requests: [{path: /}]`, the raw-socket transport, one thread) once in
// each build, in turns, the order alternating from round to round; a run's CPU (process.cpuUsage of that
// loadseed process, user + system) is divided by the requests it completed. A first round warms up and is
// not counted. Prints each round, the medians, and the median of the paired differences (after − before),
// then the timing breakdown's own per-request work in a tight loop (the `after` build's modules).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = new URL(import.meta.url).pathname;

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
} else if (process.argv[2] === '--loadseed') {
  await loadseedProcess(process.argv[3], process.argv[4]);
} else {
  await main();
}

/** One build's loadseed: plans the scenario file once, then runs it on each 'run' message and answers with µs per request. */
async function loadseedProcess(dist, scenarioFile) {
  const url = (path) => pathToFileURL(join(resolve(dist), path)).href;
  const { runPlan } = await import(url('engine/run-plan.js'));
  const { buildPlan } = await import(url('plan/build-plan.js'));
  const { loadScenario } = await import(url('scenario/load-scenario.js'));
  const plan = buildPlan(await loadScenario(scenarioFile, { env: {} }));
  process.on('message', async (message) => {
    if (message === 'stop') process.exit(0);
    const before = process.cpuUsage();
    const result = await runPlan(plan);
    const cpu = process.cpuUsage(before);
    const { total } = result.recorder.snapshot();
    if (total.failures > 0) throw new Error(`${total.failures} failures: the bench needs every request to succeed`);
    process.send?.({ us: (cpu.user + cpu.system) / total.requests, requests: total.requests });
  });
  process.send?.('ready');
}

async function main() {
  const { values } = parseArgs({
    options: {
      before: { type: 'string' },
      after: { type: 'string', default: 'dist' },
      seconds: { type: 'string', default: '3' },
      users: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '9' },
      'server-cpu': { type: 'string' },
    },
  });
  if (values.before === undefined) throw new Error('--before <dist directory of the build to compare with> is required');
  const rounds = Number(values.rounds);
  const server = [process.execPath, SELF, '--server'];
  const pinned = values['server-cpu'] === undefined ? server : ['taskset', '-c', values['server-cpu'], ...server];
  const target = spawn(pinned[0], pinned.slice(1), { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => target.once('message', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'loadseed-timing-cost-'));
  const builds = {};
  try {
    const scenarioFile = join(dir, 'static.yml');
    await writeFile(
      scenarioFile,
      [
        `target: http://127.0.0.1:${port}`,
        'requests: [{path: /}]',
        `load: {profile: constant, users: ${Number(values.users)}, duration: ${Number(values.seconds)}s}`,
        'sla: false',
        '',
      ].join('\n'),
    );
    for (const kind of ['before', 'after']) {
      const child = spawn(process.execPath, [SELF, '--loadseed', values[kind], scenarioFile], {
        stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      });
      await new Promise((resolve) => child.once('message', resolve));
      builds[kind] = child;
    }
    const run = (kind) =>
      new Promise((resolve) => {
        builds[kind].once('message', resolve);
        builds[kind].send('run');
      });
    const figures = { before: [], after: [] };
    console.log(
      `node ${process.version}, ${values.users} users, ${values.seconds} s per run, ${rounds} rounds; CPU µs per request (the loadseed process)`,
    );
    console.log(`before: ${values.before}, after: ${values.after}`);
    for (let round = 0; round <= rounds; round++) {
      const order = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
      const line = {};
      for (const kind of order) {
        const { us, requests } = await run(kind);
        if (round > 0) figures[kind].push(us);
        line[kind] = `${kind} ${us.toFixed(3)} (${requests} req)`;
      }
      console.log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${line.before}, ${line.after}`);
    }
    const before = median(figures.before);
    const after = median(figures.after);
    const paired = median(figures.after.map((us, index) => us - figures.before[index]));
    console.log(
      `median: before ${before.toFixed(3)} µs, after ${after.toFixed(3)} µs, ratio ${(after / before).toFixed(3)}; ` +
        `median of the paired differences ${paired.toFixed(3)} µs per request`,
    );
    console.log(
      `the timing breakdown's own work alone (a tight loop of what a request adds on the fast path, ${values.after}): ` +
        `${(await timingWorkUs(values.after)).toFixed(3)} µs per request`,
    );
  } finally {
    for (const child of Object.values(builds)) child.send('stop');
    target.send('stop');
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What the timing breakdown adds per request on a kept-alive connection, without the network: the virtual user
 * clears the session's timings; the connection takes the clock at the first byte; the virtual user finishes the
 * waiting and the download from its own send and end times (which it takes anyway) and records them. CPU µs
 * per request, from `dist`'s modules.
 */
async function timingWorkUs(dist) {
  const url = (path) => pathToFileURL(join(resolve(dist), path)).href;
  const { Recorder } = await import(url('metrics/recorder.js'));
  const { clearRequestTimings, createRequestTimings, finishRequestTimings, FIRST_BYTE_AT, TimingIndex } = await import(
    url('metrics/request-timings.js')
  );
  const { now } = await import(url('time/clock.js'));
  const recorder = new Recorder(['a', 'b', 'c']);
  const timings = createRequestTimings();
  let sink = 0;
  const once = (index) => {
    clearRequestTimings(timings);
    const firstByteAt = now(); // the transport's one clock read
    timings[FIRST_BYTE_AT] = firstByteAt;
    // The virtual user's send and end times (its own clock reads, taken before the breakdown too): made up here.
    finishRequestTimings(timings, firstByteAt - 40 - (index % 997) / 1000, firstByteAt + (index % 89) / 1000, true);
    recorder.recordTimings(index % 3, timings);
    sink += timings[TimingIndex.ttfb];
  };
  for (let index = 0; index < 200_000; index++) once(index);
  const calls = 2_000_000;
  const start = process.cpuUsage();
  for (let index = 0; index < calls; index++) once(index);
  const cpu = process.cpuUsage(start);
  if (sink === 0) throw new Error('unreachable');
  return (cpu.user + cpu.system) / calls;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
