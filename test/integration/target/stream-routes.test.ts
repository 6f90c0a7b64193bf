import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';

let server: TargetServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The status, content-type and whole body of a GET, or how it failed. */
function get(url: string): Promise<{ status: number; type: string; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      res.on('error', (error) =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, error: error.message }),
      );
    });
    req.on('error', (error) => resolve({ status: 0, type: '', body: '', error: error.message }));
    req.end();
  });
}

describe('the built-in target: /sse and /stream', () => {
  it('/sse sends N events then done, and counts them', async () => {
    server = await startTargetServer();
    const reply = await get(`${server.url}/sse?events=3&interval_ms=1`);
    expect(reply.status).toBe(200);
    expect(reply.type).toBe('text/event-stream; charset=utf-8');
    expect(reply.body).toBe(
      'id: 1\ndata: {"seq":1,"of":3}\n\nid: 2\ndata: {"seq":2,"of":3}\n\nid: 3\ndata: {"seq":3,"of":3}\n\nevent: done\ndata: {"events":3}\n\n',
    );
    expect(server.streamCounts()).toMatchObject({ sseStreams: 1, sseEvents: 4, streams: 0, chunks: 0 });
  });

  it('/stream sends N chunks, and counts them', async () => {
    server = await startTargetServer();
    const reply = await get(`${server.url}/stream?chunks=3&interval_ms=1`);
    expect(reply.body).toBe('token 1\ntoken 2\ntoken 3\n');
    expect((await get(`${server.url}/stream?chunks=0&interval_ms=1`)).body).toBe('');
    expect(server.streamCounts()).toMatchObject({ sseStreams: 0, sseEvents: 0, streams: 2, chunks: 3 });
  });

  it('reset_after destroys the socket mid-stream', async () => {
    server = await startTargetServer();
    const reply = await get(`${server.url}/sse?events=5&interval_ms=1&reset_after=2`);
    expect(reply.error).toBeDefined();
    expect(server.streamCounts().sseEvents).toBe(2);
  });

  it('stall_after keeps the connection open after K events', async () => {
    server = await startTargetServer();
    const target = server;
    const body = await new Promise<string>((resolve) => {
      const req = request(`${target.url}/sse?events=5&interval_ms=1&stall_after=2`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.split('\n\n').length - 1 === 2) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.end();
    });
    expect(body).toBe('id: 1\ndata: {"seq":1,"of":5}\n\nid: 2\ndata: {"seq":2,"of":5}\n\n');
    expect(server.streamCounts().sseEvents).toBe(2);
  });

  it('bad parameters answer 400 saying which', async () => {
    server = await startTargetServer();
    const reply = await get(`${server.url}/sse?events=x`);
    expect(reply.status).toBe(400);
    expect(reply.body).toContain('bad events "x"');
  });
});
