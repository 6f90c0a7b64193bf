import { describe, expect, it } from 'vitest';
import { withStringRequestNames } from '../../../src/scenario/request-names.js';
import type { ScenarioData } from '../../../src/scenario/types.js';

describe('withStringRequestNames', () => {
  it('turns number names into their text in setup, before, requests and flow steps, leaving the input as it was', () => {
    const input = {
      target: 'http://127.0.0.1:8080',
      setup: [{ name: 1, path: '/' }],
      before: [{ think: '1s' }, { name: 2.5, path: '/' }],
      requests: [{ name: 50, path: '/' }, { name: 'home', path: '/' }, { path: '/' }],
      flows: [{ name: 'f', steps: [{ name: 0, path: '/' }, { think: '1s' }] }],
      load: { profile: 'constant', users: 1, duration: '1s' },
    } as unknown as ScenarioData;
    const copy = structuredClone(input);
    const data = withStringRequestNames(input);
    expect(data.setup?.[0]?.name).toBe('1');
    expect(data.before).toEqual([{ think: '1s' }, { name: '2.5', path: '/' }]);
    expect(data.requests).toEqual([{ name: '50', path: '/' }, { name: 'home', path: '/' }, { path: '/' }]);
    expect(data.flows).toEqual([{ name: 'f', steps: [{ name: '0', path: '/' }, { think: '1s' }] }]);
    expect(input).toEqual(copy);
  });

  it('adds no key a scenario does not have', () => {
    const input: ScenarioData = { requests: [{ path: '/' }], load: { profile: 'constant', users: 1, duration: '1s' } };
    expect(withStringRequestNames(input)).toEqual(input);
    expect(Object.keys(withStringRequestNames(input))).toEqual(['requests', 'load']);
  });
});
