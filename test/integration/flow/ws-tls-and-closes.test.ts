import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { main } from '../../../src/cli/main.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';

/**
 * `ws:` steps against small loopback WebSocket servers of the test's own: wss with the scenario's CA (and
 * without it), a server that closes with an error code, one that closes normally mid-session, one that never
 * answers (the step's timeout gives the session up: its socket is closed at once).
 */

interface WsTestServer {
  readonly url: string;
  /** Sessions accepted, and sessions whose socket has closed since. */
  readonly opened: () => number;
  readonly closed: () => number;
  close(): Promise<void>;
}

/** A WebSocket server on 127.0.0.1 (`secure`: wss with the test certificate) whose sessions `onSession` drives. */
async function startWsServer(secure: boolean, onSession: (ws: import('ws').WebSocket) => void): Promise<WsTestServer> {
  const fixtures = tlsFixtures();
  const server: Server = secure ? createHttpsServer({ cert: fixtures.certPem, key: fixtures.keyPem }) : createHttpServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ server });
  let opened = 0;
  let closed = 0;
  wss.on('connection', (ws) => {
    opened += 1;
    ws.on('close', () => (closed += 1));
    ws.on('error', () => undefined);
    onSession(ws);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    opened: () => opened,
    closed: () => closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

let dir: string;
const servers: WsTestServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-ws-tls-'));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

async function runScenario(name: string, lines: readonly string[]): Promise<{ code: number; stderr: string; document: ResultsDocument }> {
  await writeFile(
    join(dir, `${name}.yml`),
    [`name: ${name}`, 'workers: 1', ...lines, `report: {json: ${name}.json, html: false}`, ''].join('\n'),
  );
  let stderr = '';
  const code = await main(['--no-color', 'run', `${name}.yml`, '--quiet'], {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NO_COLOR: '1' },
    cwd: dir,
    signal: new AbortController().signal,
  });
  const document = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as ResultsDocument;
  return { code, stderr, document };
}

const echo = (ws: import('ws').WebSocket): void => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
};

describe('ws steps: TLS, close codes, the step timeout', () => {
  it('wss: trusts the scenario CA (http.tls.ca); without it the certificate fails as tls', async () => {
    const server = await startWsServer(true, echo);
    servers.push(server);
    const steps = `[{send: hi}, {expect: {text: hi}}]`;
    const trusted = await runScenario('wss-ca', [
      `http: {tls: {ca: ${JSON.stringify(tlsFixtures().caPath)}}}`,
      `flows: [{name: f, steps: [{name: secure, ws: "${server.url}/chat", steps: ${steps}}]}]`,
      'load: {profile: constant, users: 1, iterations: 3}',
      'sla: {max_error_rate: 0}',
    ]);
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.document.summary.total.statusCodes).toEqual({ '101': 3 });
    expect(server.opened()).toBe(3);

    const untrusted = await runScenario('wss-no-ca', [
      `flows: [{name: f, steps: [{name: secure, ws: "${server.url}/chat", steps: ${steps}}]}]`,
      'load: {profile: constant, users: 1, iterations: 2}',
      'sla: false',
    ]);
    expect(untrusted.code, untrusted.stderr).toBe(0);
    expect(untrusted.document.summary.total.errors).toEqual({ tls: 2 });
    expect(server.opened()).toBe(3);
  });

  it('a close with an error code is protocol; a normal close mid-session is connection_reset; one once only close is left ends the session', async () => {
    const erroring = await startWsServer(false, (ws) => ws.on('message', () => ws.close(1011, 'boom')));
    const closing = await startWsServer(false, (ws) => ws.on('message', () => ws.close(1000, 'done')));
    servers.push(erroring, closing);
    const { code, stderr, document } = await runScenario('closes', [
      'flows:',
      '  - name: f',
      '    steps:',
      `      - {name: erroring, ws: "${erroring.url}/", steps: [{send: a}, {expect: {text: a}}]}`,
      `      - {name: closing, ws: "${closing.url}/", steps: [{send: a}, {expect: {text: a}}]}`,
      `      - {name: closed, ws: "${closing.url}/", steps: [{send: a}, {close: {}}]}`,
      'load: {profile: constant, users: 1, iterations: 2}',
      'sla: false',
    ]);
    expect(code, stderr).toBe(0);
    const byName = Object.fromEntries(document.summary.requests.map((request) => [request.name, request]));
    expect(byName['erroring']?.errors).toEqual({ protocol: 2 });
    expect(byName['closing']?.errors).toEqual({ connection_reset: 2 });
    expect(byName['closed']?.statusCodes).toEqual({ '101': 2 });
    expect(byName['closed']?.failures).toBe(0);
  });

  it('a session that outlives its step timeout counts as timeout, and its socket is closed at once', async () => {
    const silent = await startWsServer(false, () => undefined);
    servers.push(silent);
    const { code, stderr, document } = await runScenario('silent', [
      `flows: [{name: f, steps: [{name: waiting, ws: "${silent.url}/", timeout: 200ms, steps: [{expect: {text: never, within: 30s}}]}]}]`,
      'load: {profile: constant, users: 2, iterations: 4}',
      'sla: false',
    ]);
    expect(code, stderr).toBe(0);
    expect(document.summary.total.errors).toEqual({ timeout: 4 });
    expect(silent.opened()).toBe(4);
    // Each session given up was terminated: the server saw every socket close (it never closes one itself).
    await expect.poll(() => silent.closed(), { timeout: 5000, interval: 20 }).toBe(4);
  });
});
