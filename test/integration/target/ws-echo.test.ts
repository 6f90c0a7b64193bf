import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';

let server: TargetServer;
beforeAll(async () => {
  server = await startTargetServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

interface Session {
  readonly ws: WebSocket;
  readonly messages: string[];
  /** Resolves with the close code and whether a close frame came (1006: none). */
  readonly closed: Promise<number>;
  next(): Promise<string>;
}

async function open(query = ''): Promise<Session> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/echo${query}`);
  const messages: string[] = [];
  const waiters: ((text: string) => void)[] = [];
  ws.on('message', (data) => {
    const text = (data as Buffer).toString();
    const waiter = waiters.shift();
    if (waiter === undefined) messages.push(text);
    else waiter(text);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    next: () => {
      const queued = messages.shift();
      return queued !== undefined ? Promise.resolve(queued) : new Promise<string>((resolve) => waiters.push(resolve));
    },
  };
}

describe('/ws/echo', () => {
  it('echoes text, answers a hello with a room, closes on {"type":"close"}, and counts it all', async () => {
    const before = server.wsCounts();
    const session = await open();
    session.ws.send('ping');
    expect(await session.next()).toBe('ping');
    session.ws.send(JSON.stringify({ type: 'hello', user: 'ada' }));
    const hello = JSON.parse(await session.next()) as { type: string; room: string; user: string };
    expect(hello).toEqual({ type: 'hello', room: expect.stringMatching(/^room-\d+$/) as unknown, user: 'ada' });
    session.ws.send('{"type":"close"}');
    expect(await session.closed).toBe(1000);
    const after = server.wsCounts();
    expect({
      upgrades: after.upgrades - before.upgrades,
      messagesReceived: after.messagesReceived - before.messagesReceived,
      messagesSent: after.messagesSent - before.messagesSent,
    }).toEqual({ upgrades: 1, messagesReceived: 3, messagesSent: 2 });
  });

  it('delays each reply by delay_ms, measured by the client', async () => {
    const session = await open('?delay_ms=30');
    const sentAt = performance.now();
    session.ws.send('a');
    expect(await session.next()).toBe('a');
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(29);
    session.ws.close();
    await session.closed;
  });

  it('closes after close_after replies, resets after reset_after replies', async () => {
    const closing = await open('?close_after=2');
    closing.ws.send('1');
    closing.ws.send('2');
    expect(await closing.closed).toBe(1000);
    expect(closing.messages).toEqual(['1', '2']);

    const resetting = await open('?reset_after=1');
    resetting.ws.send('1');
    expect(await resetting.closed).toBe(1006);
    expect(resetting.messages).toEqual(['1']);
  });

  it('refuses a bad parameter with 400 and another path with 404', async () => {
    const statusOf = (path: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`);
        ws.on('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('error', () => undefined);
      });
    expect(await statusOf('/ws/echo?delay_ms=-1')).toBe(400);
    expect(await statusOf('/ws/echo?reset_after=0')).toBe(400);
    expect(await statusOf('/ws/nope')).toBe(404);
  });
});
