import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * A loopback server of known capacity, in a child process of its own (so the load generator in the test's
 * process never holds its timers up): at most `slots` requests in service at once, each served in `serviceMs`,
 * the rest queued in order. Capacity = slots / serviceMs requests per millisecond. It counts the requests it
 * answered; GET /count (not counted) tells how many.
 */
export interface CappedServer {
  readonly url: string;
  /** Requests the server answered so far (its own count). */
  count(): Promise<number>;
  close(): Promise<void>;
}

const SCRIPT = `
const http = require('node:http');
const slots = Number(process.argv[1]);
const serviceMs = Number(process.argv[2]);
let busy = 0;
let served = 0;
const queue = [];
function next() {
  while (busy < slots && queue.length > 0) {
    const res = queue.shift();
    busy++;
    setTimeout(() => { busy--; served++; res.end('ok'); next(); }, serviceMs);
  }
}
const server = http.createServer((req, res) => {
  req.resume();
  if (req.url === '/count') { res.end(String(served)); return; }
  if (queue.length >= 10000) { res.statusCode = 503; res.end('full'); return; }
  queue.push(res);
  next();
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

/** Starts a capped server (`slots` at once, `serviceMs` each) and waits until it listens. */
export async function startCappedServer(slots: number, serviceMs: number): Promise<CappedServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT, String(slots), String(serviceMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = child.stdout;
  if (stdout === null) throw new Error('no stdout');
  const [chunk] = (await once(stdout, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${chunk.toString().trim()}`;
  return {
    url,
    count: async () => Number(await (await fetch(`${url}/count`)).text()),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}
