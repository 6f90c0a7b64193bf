// A target for the scale-out tests, run as its own process (in a network namespace for the multi-host test):
// answers every request 200, counts them, and records by its own clock when the first request of each shard
// arrived (shards tell themselves apart by an `x-shard` header). Usage: node first-request-target.mjs HOST PORT.
// Prints {"port": N} once listening; on a line "stats" on stdin prints {"count", "firstAtEpochMs": {shard: ms},
// "loopDelayMaxMs": the most its own event loop ran late};
// exits when stdin closes.
import { createServer } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const [host = '127.0.0.1', port = '0'] = process.argv.slice(2);
let count = 0;
/** @type {Record<string, number>} */
const firstAtEpochMs = {};

// How late this process's own event loop ran (its timestamps are as late): sampled every millisecond.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

const server = createServer((request, response) => {
  count += 1;
  const shard = String(request.headers['x-shard'] ?? 'none');
  firstAtEpochMs[shard] ??= performance.timeOrigin + performance.now();
  request.resume();
  response.end('ok');
});
server.keepAliveTimeout = 60_000;

server.listen(Number(port), host, () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'stats') {
    const loopDelayMaxMs = loopDelay.max / 1e6;
    process.stdout.write(`${JSON.stringify({ count, firstAtEpochMs, loopDelayMaxMs })}\n`);
  }
});
lines.on('close', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
