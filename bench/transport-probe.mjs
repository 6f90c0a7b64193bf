// Transport probe: which undici entry point is fastest for loadseed's hot path?
//
//   node bench/transport-probe.mjs [seconds=5] [connections=16] [rounds=2]
//
// Starts a plain node:http server on 127.0.0.1 in a child process (so client and server do not share an
// event loop), then, for each mode, runs `connections` closed loops (send, wait for the full response, send
// again) for `seconds` seconds and prints completed requests per second. Modes:
//   pool-dispatch    Pool({ connections }).dispatch(opts, handler), one reused handler per loop
//   client-dispatch  one Client per loop, client.dispatch(opts, handler), one reused handler per loop
//   pool-request     Pool({ connections }).request(opts), body consumed with body.dump()
// Every loop is bounded by the deadline; every dispatcher is closed at the end. Loopback only.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Pool } from 'undici';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 2);

if (process.argv[2] === '--server') {
  // Child: the target.
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
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: 'inherit' });
  const port = await new Promise((resolve) => child.once('message', resolve));
  const origin = `http://127.0.0.1:${port}`;
  const opts = { path: '/', method: 'GET', headers: ['user-agent', 'loadseed-probe'] };
  const results = {};
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['pool-dispatch', 'client-dispatch', 'pool-request']) {
        const perSec = await runMode(mode, origin, opts);
        (results[mode] ??= []).push(perSec);
        console.log(`round ${round + 1}  ${mode.padEnd(16)} ${perSec.toFixed(0).padStart(7)} req/s`);
      }
    }
  } finally {
    child.send('stop');
  }
  console.log(`\nnode ${process.version}, ${connections} connections, pipelining 1, ${seconds} s per run`);
  for (const [mode, values] of Object.entries(results)) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `${mode.padEnd(16)} median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} req/s  (runs: ${values.map((v) => v.toFixed(0)).join(', ')})`,
    );
  }
}

async function runMode(mode, origin, opts) {
  const clients = mode === 'client-dispatch' ? Array.from({ length: connections }, () => new Client(origin, { pipelining: 1 })) : [];
  const pool = mode === 'client-dispatch' ? undefined : new Pool(origin, { connections, pipelining: 1 });
  // Warm every connection with one round of requests, then measure.
  await runLoops(mode, pool, clients, opts, performance.now() + 300);
  const startedAt = performance.now();
  const completed = await runLoops(mode, pool, clients, opts, startedAt + seconds * 1000);
  const elapsedMs = performance.now() - startedAt;
  await Promise.all([pool?.close(), ...clients.map((client) => client.close())]);
  return (completed * 1000) / elapsedMs;
}

function runLoops(mode, pool, clients, opts, deadlineAt) {
  let completed = 0;
  let running = connections;
  return new Promise((resolve, reject) => {
    const loopDone = () => {
      running -= 1;
      if (running === 0) resolve(completed);
    };
    for (let i = 0; i < connections; i++) {
      if (mode === 'pool-request') {
        (async () => {
          while (performance.now() < deadlineAt) {
            const { body } = await pool.request(opts);
            await body.dump();
            completed += 1;
          }
        })().then(loopDone, reject);
        continue;
      }
      const dispatcher = mode === 'client-dispatch' ? clients[i] : pool;
      const handler = {
        bytes: 0,
        onRequestStart() {},
        onResponseStart() {},
        onResponseData(_controller, chunk) {
          this.bytes += chunk.length;
        },
        onResponseEnd() {
          completed += 1;
          if (performance.now() < deadlineAt) dispatcher.dispatch(opts, this);
          else loopDone();
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      };
      dispatcher.dispatch(opts, handler);
    }
  });
}
