// The streaming outputs' cost: throughput and CPU per request of a run streaming to receivers that are down
// (otlp + prometheus-rw on a closed port: every push refused, counted as dropped), against the same run
// without --output.
//
//   npm run build && taskset -c 1 node bench/outputs-cost.mjs [--seconds 3] [--users 8] [--rounds 7] [--server-cpu 0] [--outputs down|up|jsonl|none]
//
// (taskset pins loadseed to core 1; --server-cpu pins the target, the built-in `loadseed serve`, to another core.)
// Runs the built CLI in-process (`main`, one thread: the feed shares the thread that sends the load, the worst
// case) in turns, without outputs then with them, `rounds` times, interleaved so that drift hits both alike; a
// first round warms up and is not counted. Each run's req/s comes from its results file, its CPU
// (process.cpuUsage, this process) is divided by its requests. Prints each round, the medians and the ratios.
// `--outputs up` streams to a receiver started here that takes everything (otlp + prometheus-rw), `jsonl` to a
// file, and `none` runs the same run twice: the machine's own noise, to read the other ratios against.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main as loadseed } from '../dist/cli/main.js';
import { Recorder } from '../dist/metrics/recorder.js';
import { StreamFeed } from '../dist/run/stream-feed.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    users: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '7' },
    'server-cpu': { type: 'string' },
    outputs: { type: 'string', default: 'down' },
  },
});
const seconds = Number(values.seconds);
const users = Number(values.users);
const rounds = Number(values.rounds);

const bin = new URL('../bin/loadseed.js', import.meta.url).pathname;
const serve = [process.execPath, bin, 'serve', '--port', '0'];
const pinned = values['server-cpu'] === undefined ? serve : ['taskset', '-c', values['server-cpu'], ...serve];
const child = spawn(pinned[0], pinned.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NO_COLOR: '1' } });
const target = await new Promise((resolve, reject) => {
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
    const url = /http:\/\/127\.0\.0\.1:[0-9]+/.exec(text)?.[0];
    if (url !== undefined) resolve(url);
  });
  child.once('exit', (code) => reject(new Error(`loadseed serve exited (${code}): ${text}`)));
});

const dir = await mkdtemp(join(tmpdir(), 'loadseed-outputs-cost-'));
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end('{}'));
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const closed = createServer();
await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
const closedPort = closed.address().port;
await new Promise((resolve) => closed.close(resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

const OUTPUTS = {
  down: ['--output', `otlp=http://127.0.0.1:${closedPort}`, '--output', `prometheus-rw=http://127.0.0.1:${closedPort}/api/v1/write`],
  up: ['--output', `otlp=${receiverUrl}`, '--output', `prometheus-rw=${receiverUrl}/api/v1/write`],
  jsonl: ['--output', `jsonl=${join(dir, 'run.jsonl')}`],
  // The same run twice: what the noise of this machine alone makes of the ratios.
  none: [],
};
const streaming = OUTPUTS[values.outputs];
if (streaming === undefined) throw new Error(`--outputs takes down, up, jsonl or none, not ${values.outputs}`);

try {
  await writeFile(
    join(dir, 'bench.yml'),
    [
      'name: outputs-cost',
      `target: ${target}`,
      'requests: [{path: /}]',
      `load: {profile: constant, users: ${users}, duration: ${seconds}s}`,
      'sla: false',
      'report: {html: false}',
      '',
    ].join('\n'),
  );
  const figures = { none: [], outputs: [] };
  console.log(`node ${process.version}, ${users} users, ${seconds} s per run, ${rounds} rounds, outputs: ${values.outputs}`);
  for (let round = 0; round <= rounds; round++) {
    const line = [];
    for (const kind of ['none', 'outputs']) {
      const figure = await measure(kind === 'none' ? [] : streaming);
      if (round > 0) figures[kind].push(figure);
      line.push(`${kind} ${figure.rps.toFixed(0)} req/s ${figure.cpuUs.toFixed(2)} µs/req (dropped ${figure.dropped})`);
    }
    console.log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${line.join(', ')}`);
  }
  const med = (kind, key) => median(figures[kind].map((figure) => figure[key]));
  const rpsRatio = med('outputs', 'rps') / med('none', 'rps');
  const cpuRatio = med('outputs', 'cpuUs') / med('none', 'cpuUs');
  const pairedRps = median(figures.outputs.map((figure, index) => figure.rps / figures.none[index].rps));
  console.log(
    `median: none ${med('none', 'rps').toFixed(0)} req/s ${med('none', 'cpuUs').toFixed(2)} µs/req; ` +
      `outputs ${med('outputs', 'rps').toFixed(0)} req/s ${med('outputs', 'cpuUs').toFixed(2)} µs/req`,
  );
  console.log(
    `throughput ratio ${rpsRatio.toFixed(3)} (paired median ${pairedRps.toFixed(3)}), CPU per request ratio ${cpuRatio.toFixed(3)}`,
  );
  for (const needsTotals of [false, true]) {
    const us = feedWorkUs(needsTotals);
    console.log(
      `the feed's own work per interval (${needsTotals ? 'with the totals of otlp and prometheus-rw' : 'jsonl'}): ${us.toFixed(0)} µs, ` +
        `${(us / 10_000).toFixed(3)}% of a core at one interval a second`,
    );
  }
} finally {
  child.kill('SIGTERM');
  receiver.close();
  await rm(dir, { recursive: true, force: true });
}

async function measure(extra) {
  const out = join(dir, 'run.json');
  const before = process.cpuUsage();
  const code = await loadseed(['--no-color', 'run', 'bench.yml', '--quiet', '--out', out, ...extra], {
    stdout: { write: () => true },
    stderr: { write: () => true },
    env: { NO_COLOR: '1' },
    cwd: dir,
    signal: new AbortController().signal,
  });
  const cpu = process.cpuUsage(before);
  if (code !== 0) throw new Error(`exit ${code}`);
  const results = JSON.parse(await readFile(out, 'utf8'));
  const { count, requestsPerSec } = results.summary.total;
  const dropped = (results.outputs ?? []).reduce((sum, output) => sum + output.dropped, 0);
  return { rps: requestsPerSec, cpuUs: (cpu.user + cpu.system) / count, dropped };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * What the feed does once a second, without the network: an interval computed from a recorder holding 200,000
 * responses over two request names (counters, the series window, and with `needsTotals` the cumulative
 * histograms in explicit buckets). CPU µs per interval.
 */
function feedWorkUs(needsTotals) {
  const recorder = new Recorder(['a', 'b']);
  recorder.start(0);
  for (let index = 0; index < 200_000; index++)
    recorder.recordResponse(index % 2, 200, true, 1000 + (index % 50_000), 900, 10, 10, index / 20);
  const output = {
    kind: 'jsonl',
    target: 'memory',
    needsTotals,
    start() {},
    interval() {},
    threshold() {},
    finish: async () => {},
    report: () => ({}),
  };
  const feed = new StreamFeed([output], { runId: 'bench', scenario: 'bench', requestNames: ['a', 'b'] });
  const tick = (second) =>
    feed.update({
      phase: 'measured',
      elapsedMs: second * 1000,
      plannedDurationMs: 0,
      activeUsers: 8,
      inFlight: 0,
      stopping: false,
      recorder,
    });
  for (let second = 1; second <= 50; second++) tick(second);
  const intervals = 300;
  const start = process.cpuUsage();
  for (let second = 51; second <= 50 + intervals; second++) tick(second);
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / intervals;
}
