import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JOBS } from '../../../src/target/jobs-route.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';

let server: TargetServer;

beforeAll(async () => {
  server = await startTargetServer({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
});

async function call(path: string, method = 'GET'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, { method });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('/jobs', () => {
  it('creates a job that answers pending N times, then done', async () => {
    const created = await call('/jobs?pending=3', 'POST');
    expect(created.status).toBe(201);
    expect(created.body['status']).toBe('pending');
    const id = created.body['id'] as string;
    const statuses: unknown[] = [];
    for (let poll = 0; poll < 5; poll++) statuses.push((await call(`/jobs/${id}`)).body['status']);
    expect(statuses).toEqual(['pending', 'pending', 'pending', 'done', 'done']);
  });

  it('defaults to 2 pending polls; pending=0 is done at once; jobs are independent', async () => {
    const a = (await call('/jobs', 'POST')).body['id'] as string;
    const b = (await call('/jobs?pending=0', 'POST')).body['id'] as string;
    expect(a).not.toBe(b);
    expect((await call(`/jobs/${b}`)).body['status']).toBe('done');
    expect([
      (await call(`/jobs/${a}`)).body['status'],
      (await call(`/jobs/${a}`)).body['status'],
      (await call(`/jobs/${a}`)).body['status'],
    ]).toEqual(['pending', 'pending', 'done']);
  });

  it('refuses a bad pending, an unknown id and the wrong method, saying why', async () => {
    const bad = await call('/jobs?pending=-1', 'POST');
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toBe('bad pending "-1": use /jobs?pending=N with N an integer 0..1000');
    expect((await call('/jobs/nope')).status).toBe(404);
    expect((await call('/jobs')).status).toBe(405);
    expect((await call('/jobs/job-1', 'DELETE')).status).toBe(405);
  });

  it(`keeps at most ${MAX_JOBS} jobs, forgetting the oldest`, async () => {
    const first = (await call('/jobs?pending=5', 'POST')).body['id'] as string;
    for (let sent = 0; sent < MAX_JOBS; sent += 500) {
      await Promise.all(Array.from({ length: 500 }, () => call('/jobs', 'POST')));
    }
    expect((await call(`/jobs/${first}`)).status).toBe(404);
  });
});
