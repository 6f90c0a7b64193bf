import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_OPTIONS, GLOBAL_OPTIONS, addOptions } from '../../../src/cli/command-options.js';

describe('the option table', () => {
  it('gives no command the same flag twice, nor one of the global flags', () => {
    const globalFlags = GLOBAL_OPTIONS.flatMap((spec) => spec.flags.split(/[ ,]+/).filter((word) => word.startsWith('-')));
    for (const [name, specs] of Object.entries(COMMAND_OPTIONS)) {
      const flags = specs.flatMap((spec) => spec.flags.split(/[ ,]+/).filter((word) => word.startsWith('-')));
      expect(new Set(flags).size, name).toBe(flags.length);
      expect(
        flags.filter((flag) => globalFlags.includes(flag)),
        name,
      ).toEqual([]);
    }
  });

  it('makes each row an Option of commander with its default, choices and mandatory flag', () => {
    const init = addOptions(new Command('init'), COMMAND_OPTIONS.init);
    const profile = init.options.find((option) => option.long === '--profile');
    expect(profile?.defaultValue).toBe('constant');
    expect(profile?.argChoices).toEqual(['constant', 'ramp', 'arrival-rate']);
    const merge = addOptions(new Command('merge'), COMMAND_OPTIONS.merge);
    expect(merge.options.map((option) => [option.long, option.mandatory])).toEqual([
      ['--out', true],
      ['--html', false],
      ['--junit', false],
      ['--markdown', false],
      ['--allow-partial', false],
      ['--quiet', false],
    ]);
    expect(init.parse(['--users', '5'], { from: 'user' }).opts()).toEqual({ profile: 'constant', users: '5', rate: '20', duration: '30s' });
  });
});
