import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/**
 * A target that accepts TCP and then never says a word: a TLS handshake to it never completes, so every
 * pre-connect (TCP + TLS, before t=0) stays pending until loadseed's 10 s connect timeout. A signal in that
 * phase must stop the run at once, not when the connects time out.
 */
const USERS = 20;
/** loadseed's connect timeout (http-target, socket-http-target, flow-target): what used to hold the run. */
const CONNECT_TIMEOUT_MS = 10_000;

let dir: string;
let server: Server;
let port: number;
const open = new Set<Socket>();
let accepted = 0;
let closedByClient = 0;
/** How long each connection stayed open, accept to the client's close, by the server's clock (ms). */
const openForMs: number[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-warmup-signal-'));
  server = createServer((socket) => {
    accepted++;
    open.add(socket);
    const acceptedAt = performance.now();
    socket.resume(); // read (and drop) the ClientHello, so the client closing it is seen
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (!open.delete(socket)) return;
      closedByClient++;
      openForMs.push(performance.now() - acceptedAt);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterAll(async () => {
  for (const socket of open) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** The same run on each client: static requests take loadseed's sockets, a flow takes undici. */
const WORKLOADS = {
  socket: 'requests: [{path: /}]',
  undici: 'flows: [{name: stall, steps: [{path: /}]}]',
} as const;

describe('a signal during connection warm-up', () => {
  for (const [transport, workload] of Object.entries(WORKLOADS)) {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      it(`${transport}, ${signal}: pending connects are given up at once, reports written (interrupted), exit ${code}`, async () => {
        const name = `stall-${transport}-${signal}`;
        await writeFile(
          join(dir, `${name}.yml`),
          `target: https://127.0.0.1:${port}\n${workload}\nload: {profile: constant, users: ${USERS}, duration: 30s}\nreport: {json: ${name}.json, html: ${name}.html}\n`,
        );
        const acceptedBefore = accepted;
        const closedBefore = closedByClient;
        const openForBefore = openForMs.length;
        let poll: NodeJS.Timeout | undefined;
        const out = await runBuiltCli(['run', `${name}.yml`], {
          cwd: dir,
          // Only a hang guard, under the test's timeout: what is asserted is below, by the server's count.
          timeoutMs: 60_000,
          onStart: (kill) => {
            // Signalled once every user's connection reached the server (a condition, not a delay).
            poll = setInterval(() => {
              if (accepted - acceptedBefore < USERS) return;
              clearInterval(poll);
              kill(signal);
            }, 10);
          },
        });
        clearInterval(poll);
        expect(out.code).toBe(code);
        expect(out.stderr).not.toContain('Error');
        expect(accepted - acceptedBefore).toBe(USERS);
        // loadseed closed every pending connection itself (no connect completed, no request was sent).
        await new Promise<void>((resolve) => {
          const wait = setInterval(() => {
            if (closedByClient - closedBefore < USERS) return;
            clearInterval(wait);
            resolve();
          }, 10);
        });
        // Given up at the signal, not by the connect timeout. Told apart on the server's clock against loadseed's
        // own timeout, not against a guess at how fast it is: a close by the timeout comes ≈ 10 s after accept,
        // one at the signal as soon as the signal is handled; half-way leaves 5 s to a busy machine.
        const openFor = openForMs.slice(openForBefore);
        expect(openFor).toHaveLength(USERS);
        for (const ms of openFor) expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS / 2);
        const doc = await readCheckedResults(dir, `${name}.json`);
        expect(doc.verdict).toBe('interrupted');
        expect(doc.run.interrupted).toBe(true);
        expect(doc.summary.total.count).toBe(0);
        expect(await readFile(join(dir, `${name}.html`), 'utf8')).toContain('Interrupted: partial results');
        expect(out.stdout).toContain('⚠ interrupted: partial results');
      });
    }
  }
});
