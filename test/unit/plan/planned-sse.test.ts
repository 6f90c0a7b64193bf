import { describe, expect, it } from 'vitest';
import { compileRequest } from '../../../src/plan/compile-request.js';
import { renderTemplate } from '../../../src/scenario/template.js';
import type { SseStepSpec, StreamStepSpec } from '../../../src/scenario/types.js';

const compile = (spec: SseStepSpec | StreamStepSpec, target?: string): ReturnType<typeof compileRequest> =>
  compileRequest(spec, target, { headers: { 'x-team': 'web' }, auth: { bearer: 'tok' } });

describe('compiling sse: and stream: steps', () => {
  it('an sse: path on the target: a GET with its templates, until, idle timeout, and 200 expected by default', () => {
    const request = compile({ sse: '/sse?events={{ n }}', until: { event: 'done', events: 5 }, idle_timeout: '2s' }, 'http://h:8080/api');
    expect(request).toMatchObject({
      name: 'SSE /sse?events={{ n }}',
      method: 'GET',
      origin: 'http://h:8080',
      expectedStatuses: [200],
      protocol: { kind: 'sse', mode: 'events', untilEvent: 'done', untilEvents: 5, idleTimeoutMs: 2000, expectedStatuses: [200] },
    });
    const templates = request.templates;
    expect(templates).toBeDefined();
    const scope = { get: (name: string) => (name === 'n' ? '3' : undefined) };
    expect(renderTemplate(templates!.path, scope)).toBe('/api/sse?events=3');
    expect(templates!.headers.map((header) => [header.name, renderTemplate(header.value, scope)])).toEqual([
      ['x-team', 'web'],
      ['authorization', 'Bearer tok'],
    ]);
  });

  it('a stream: absolute URL, its expect statuses, no until', () => {
    const request = compile({ name: 'tokens', stream: 'https://llm.example/v1/stream', expect: { status: [206, 200] } }, 'http://ignored');
    expect(request).toMatchObject({ name: 'tokens', origin: 'https://llm.example', path: '/v1/stream' });
    expect(request.protocol).toEqual({ kind: 'sse', mode: 'chunks', expectedStatuses: [200, 206] });
    expect(request.templates).toBeDefined();
  });

  it('a POST stream with a templated JSON body, as an LLM API takes it', () => {
    const request = compile({ stream: '/v1/chat', method: 'POST', json: { prompt: '{{ q }}', stream: true } }, 'http://h');
    expect(request).toMatchObject({ name: 'STREAM /v1/chat', method: 'POST' });
    const scope = { get: (name: string) => (name === 'q' ? 'hi' : undefined) };
    const body = request.templates?.body;
    expect(body).toBeDefined();
    if (body !== undefined) expect(renderTemplate(body, scope)).toBe('{"prompt":"hi","stream":true}');
    expect(request.templates?.headers.map((header) => header.name)).toContain('content-type');
  });

  it("takes its own expect only: the defaults' checks and max_latency are for whole responses", () => {
    const request = compileRequest({ sse: '/events' } as SseStepSpec, 'http://h', {
      expect: { status: 201, max_latency: '100ms', body_contains: 'x' },
    });
    expect(request.expectedStatuses).toEqual([200]);
    expect(request.maxLatencyMs).toBeUndefined();
    expect(request.checks).toBeUndefined();
  });
});
