import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const schema = JSON.parse(readFileSync(`${ROOT}schemas/scenario.schema.json`, 'utf8')) as {
  properties: Record<string, unknown>;
  $defs: Record<string, { properties?: Record<string, unknown>; allOf?: { then: { properties: Record<string, unknown> } }[] }>;
};

/** The README's scenario reference names every key the schema defines: they must not drift apart. */
describe('README scenario reference', () => {
  const reference = readme.slice(readme.indexOf('## Scenario reference'), readme.indexOf('## Exit codes'));
  const mentioned = (key: string): boolean => reference.includes(`\`${key}\``);

  it('names every top-level key', () => {
    expect(Object.keys(schema.properties).filter((key) => !mentioned(key))).toEqual([]);
  });

  it('names every request key', () => {
    expect(Object.keys(schema.$defs['request']?.properties ?? {}).filter((key) => !mentioned(key))).toEqual([]);
  });

  it('names every load profile and every key of each profile', () => {
    const load = schema.$defs['load'];
    const keys = new Set([...Object.keys(load?.properties ?? {})]);
    for (const branch of load?.allOf ?? []) for (const key of Object.keys(branch.then.properties)) keys.add(key);
    expect([...keys].filter((key) => !mentioned(key))).toEqual([]);
    const profiles = (load?.properties?.['profile'] as { enum: string[] }).enum;
    expect(profiles).toHaveLength(6);
    expect(profiles.filter((profile) => !mentioned(profile))).toEqual([]);
  });

  it('names every key of a ws step and of its steps', () => {
    const keys = ['wsStep', 'wsAction', 'wsExpect', 'wsCapture', 'wsSendEvery', 'wsClose'].flatMap((name) =>
      Object.keys(schema.$defs[name]?.properties ?? {}),
    );
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.filter((key) => !mentioned(key))).toEqual([]);
  });

  it('gives a ws step example that validates', async () => {
    const { parseScenario } = await import('../../../src/scenario/load-scenario.js');
    const section = reference.slice(reference.indexOf('### WebSocket steps'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    expect(parseScenario(yaml ?? '', 'websocket.yml', { env: {}, baseDir: ROOT }).data.flows?.[0]?.steps[0]).toMatchObject({
      ws: '/ws/echo?delay_ms=20',
    });
  });

  it('names every named threshold', () => {
    const named = Object.keys(schema.$defs['thresholds']?.properties ?? {}).filter((key) => !/^p[0-9.]+_latency_ms$/.test(key));
    expect(named.length).toBeGreaterThan(4);
    expect(named.filter((key) => !mentioned(key))).toEqual([]);
    expect(mentioned('abort_on_fail')).toBe(true);
  });
});

describe('README commands', () => {
  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run quickstart');
    expect(readme).toContain('npm ci && npm test');
  });
});

/** Every flag `run --help` and `validate --help` list is documented in the README (the option table is the source). */
describe('README options', () => {
  it('names every option of run and validate', async () => {
    const { COMMAND_OPTIONS } = await import('../../../src/cli/command-options.js');
    for (const command of ['run', 'validate'] as const) {
      const flags = COMMAND_OPTIONS[command].map((spec) => /--[a-z0-9-]+/.exec(spec.flags)?.[0] ?? spec.flags);
      expect(
        flags.filter((flag) => !readme.includes(`\`${flag}`) && !readme.includes(`, ${flag} `)),
        command,
      ).toEqual([]);
    }
  });
});
