import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_PATH } from '../../../src/assets.js';
import { validateAgainstSchema } from '../../../src/scenario/validate-schema.js';

const MINIMAL = { target: 'http://127.0.0.1:8080', requests: [{ path: '/' }], load: { profile: 'constant', users: 5, duration: '30s' } };

describe('validateAgainstSchema', () => {
  it('accepts a minimal scenario', () => {
    expect(validateAgainstSchema(MINIMAL)).toEqual([]);
  });

  it('leaves "load or scenarios" to the checks (check-scenario.ts), which say it in those words', () => {
    expect(validateAgainstSchema({ requests: [{ path: '/' }] })).toEqual([]);
  });

  it('explains a wrong type with the schema errorMessage and the value', () => {
    expect(validateAgainstSchema({ ...MINIMAL, load: { profile: 'constant', users: 'fifty', duration: '30s' } })).toEqual([
      { path: ['load', 'users'], at: 'value', message: 'expected a whole number of users, at least 1 (got "fifty")' },
    ]);
  });

  it('gives one message for a duration that fits no branch', () => {
    expect(validateAgainstSchema({ ...MINIMAL, load: { profile: 'constant', users: 5, duration: '10x' } })).toEqual([
      {
        path: ['load', 'duration'],
        at: 'value',
        message: 'expected a duration greater than zero, such as 250ms, 30s, 2m, 1h30m or a number of seconds (got "10x")',
      },
    ]);
  });

  it('explains a mapping in an anyOf by its mapping branch (paths from ajv keep indexes as strings)', () => {
    expect(validateAgainstSchema({ ...MINIMAL, requests: [{ path: '/', think_time: { min: '1s', maks: '2s' } }] })).toEqual([
      { path: ['requests', '0', 'think_time'], at: 'key', message: 'missing required key "max"' },
      { path: ['requests', '0', 'think_time', 'maks'], at: 'key', message: 'unknown key "maks"; did you mean "max"?' },
    ]);
  });

  it('suggests the nearest key among those of the chosen profile', () => {
    expect(validateAgainstSchema({ ...MINIMAL, load: { profile: 'ramp', end_users: 10, ramp_durration: '1m' } })).toEqual([
      { path: ['load'], at: 'key', message: 'missing required key "ramp_duration"' },
      { path: ['load', 'ramp_durration'], at: 'key', message: 'unknown key "ramp_durration"; did you mean "ramp_duration"?' },
    ]);
  });

  it('accepts any pNN_latency_ms threshold and refuses an unknown one', () => {
    expect(validateAgainstSchema({ ...MINIMAL, sla: { 'p99.99_latency_ms': 900, p42_latency_ms: 10 } })).toEqual([]);
    expect(validateAgainstSchema({ ...MINIMAL, sla: { p101_latency_ms: 10 } })).toEqual([
      { path: ['sla', 'p101_latency_ms'], at: 'key', message: 'unknown key "p101_latency_ms"; did you mean "p50_latency_ms"?' },
    ]);
  });

  it('accepts the timing thresholds <phase>_<avg|max|pNN>_ms, run-wide and per request, and refuses unknown names', () => {
    const timing = { ttfb_p95_ms: 200, connect_p99_ms: 20, 'tls_p99.9_ms': 30, dns_avg_ms: 5, download_max_ms: 100 };
    expect(validateAgainstSchema({ ...MINIMAL, sla: { ...timing, requests: { home: timing } } })).toEqual([]);
    for (const key of ['ttfb_p95', 'tcp_p95_ms', 'ttfb_p101_ms', 'ttfb_mean_ms', 'p95_ttfb_ms', 'connect_min_ms']) {
      expect(validateAgainstSchema({ ...MINIMAL, sla: { [key]: 10 } }), key).toEqual([
        expect.objectContaining({ path: ['sla', key], at: 'key', message: expect.stringMatching(`^unknown key "${key}"`) as unknown }),
      ]);
      expect(validateAgainstSchema({ ...MINIMAL, sla: { requests: { home: { [key]: 10 } } } }), key).toHaveLength(1);
    }
    expect(validateAgainstSchema({ ...MINIMAL, sla: { ttfb_p95_ms: 0 } })).toEqual([
      { path: ['sla', 'ttfb_p95_ms'], at: 'value', message: 'expected a number of milliseconds greater than zero (got 0)' },
    ]);
  });

  it('refuses an error rate above 1 with its meaning', () => {
    expect(validateAgainstSchema({ ...MINIMAL, sla: { max_error_rate: 5 } })).toEqual([
      { path: ['sla', 'max_error_rate'], at: 'value', message: 'expected a fraction between 0 and 1 (0.01 means 1%) (got 5)' },
    ]);
  });

  it('refuses constructor, toString and __proto__ as keys of an object API caller (JSON.parse keeps __proto__ own)', () => {
    const data = JSON.parse(
      '{"profile": "constant", "users": 1, "duration": "1s", "constructor": 1, "toString": 2, "__proto__": 3}',
    ) as unknown;
    expect(validateAgainstSchema({ ...MINIMAL, load: data }).map((draft) => draft.path.join('.'))).toEqual([
      'load.constructor',
      'load.toString',
      'load.__proto__',
    ]);
  });

  // ajv (8.20) records the keys that unevaluatedProperties counts as evaluated in a plain object and tests them
  // with obj[key]: constructor, toString and __proto__ always look evaluated there, so such a key is never refused.
  it('uses additionalProperties, never unevaluatedProperties (which lets keys named like Object.prototype members through)', () => {
    expect(readFileSync(SCENARIO_SCHEMA_PATH, 'utf8')).not.toContain('unevaluatedProperties');
  });
});
