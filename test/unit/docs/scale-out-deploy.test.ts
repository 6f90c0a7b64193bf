import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMAND_OPTIONS } from '../../../src/cli/command-options.js';
import type { OptionCommand } from '../../../src/cli/command-options.js';

/**
 * The scale-out orchestrators in deploy/ (GitHub Actions, plain SSH) start every shard at one computed
 * instant, and call loadseed only with flags it has: each command line's flags checked against the CLI's
 * option table.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

/** The long and short flags a command takes, from the option table (`-o, --out <file>` → -o, --out). */
function flagsOf(command: OptionCommand): Set<string> {
  return new Set(COMMAND_OPTIONS[command].flatMap((spec) => spec.flags.split(/[ ,]+/).filter((word) => word.startsWith('-'))));
}

/** `loadseed.js run …` / `loadseed.js merge …` command lines of a shell text, continuations joined: the command and its flags. */
function loadseedCalls(text: string): { readonly command: OptionCommand; readonly flags: readonly string[] }[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/loadseed\.js (run|merge) ([^\n|]*)/g)].map((match) => ({
    command: match[1] as OptionCommand,
    flags: (match[2] ?? '').split(/\s+/).filter((word) => /^--?[a-z]/.test(word)),
  }));
}

interface Workflow {
  readonly jobs: Record<string, { needs?: string; outputs?: Record<string, string>; steps: { run?: string }[] }>;
}

describe('deploy/github-actions/load-test.yml', () => {
  const text = read('deploy/github-actions/load-test.yml');
  const workflow = parse(text) as Workflow;

  it('computes one start time in a job of its own, which every shard waits for and passes with --start-at', () => {
    const plan = workflow.jobs['plan'];
    expect(plan?.outputs?.['start_at']).toBe('${{ steps.start.outputs.start_at }}');
    expect(plan?.steps.some((step) => step.run?.includes('date -u -d') === true && step.run.includes('>> "$GITHUB_OUTPUT"'))).toBe(true);
    expect(workflow.jobs['shard']?.needs).toBe('plan');
    const calls = loadseedCalls(workflow.jobs['shard']?.steps.map((step) => step.run ?? '').join('\n') ?? '');
    expect(calls.map((call) => call.command)).toEqual(['run']);
    expect(text).toContain('--start-at ${{ needs.plan.outputs.start_at }}');
  });

  it('calls loadseed only with flags it has', () => {
    const calls = loadseedCalls(text);
    expect(calls.map((call) => call.command)).toEqual(['run', 'merge']);
    for (const call of calls)
      expect(
        call.flags.filter((flag) => !flagsOf(call.command).has(flag)),
        call.command,
      ).toEqual([]);
  });
});

describe('deploy/ssh/run-shards.sh', () => {
  const text = read('deploy/ssh/run-shards.sh');

  it('passes loadseed run only flags it has, one --start-at for every shard, under timeout', () => {
    const args = /args=\$\(printf ' %q' ([^)]*)\)/.exec(text.replace(/\\\n\s*/g, ' '))?.[1] ?? '';
    const runFlags = args.split(/\s+/).filter((word) => word.startsWith('--'));
    expect(runFlags).toEqual(['--shard', '--start-at', '--max-duration', '--out']);
    for (const flag of runFlags) expect(flagsOf('run').has(flag), flag).toBe(true);
    expect(text).toContain('start_at=$(date -u -d "+${start_in} seconds" +%Y-%m-%dT%H:%M:%SZ)');
    expect(text).toContain('timeout --kill-after=30s');
    expect(text).toMatch(/trap 'stop_shards 130' INT/);
    expect(text).toContain('merge "${files[@]}" -o "$out"');
  });
});
