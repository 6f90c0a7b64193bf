import { describe, expect, it } from 'vitest';
import { dashboardRequest } from '../../../src/cli/run-flags.js';
import { UsageError } from '../../../src/errors.js';

describe('--dashboard and --dashboard-linger', () => {
  it('takes the default port alone, a given port, or 0 for any free one; linger 0 unless told', () => {
    expect(dashboardRequest({}, 5665)).toBeUndefined();
    expect(dashboardRequest({ dashboard: true }, 5665)).toEqual({ port: 5665, lingerMs: 0 });
    expect(dashboardRequest({ dashboard: '8080' }, 5665)).toEqual({ port: 8080, lingerMs: 0 });
    expect(dashboardRequest({ dashboard: '0', dashboardLinger: '60s' }, 5665)).toEqual({ port: 0, lingerMs: 60_000 });
    expect(dashboardRequest({ dashboard: true, dashboardLinger: '1m30s' }, 5665)).toEqual({ port: 5665, lingerMs: 90_000 });
    expect(dashboardRequest({ dashboard: true, dashboardLinger: '0' }, 5665)).toEqual({ port: 5665, lingerMs: 0 });
    expect(dashboardRequest({ dashboard: '65535', dashboardLinger: '24h' }, 5665)).toEqual({ port: 65_535, lingerMs: 86_400_000 });
  });

  it('refuses a port out of range or not a number, a bad linger, and a linger without a dashboard', () => {
    const refused = (options: Parameters<typeof dashboardRequest>[0]): string => {
      try {
        dashboardRequest(options, 5665);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ dashboard: '65536' })).toBe('--dashboard takes a port from 1 to 65535, or 0 for any free one (got "65536")');
    expect(refused({ dashboard: '-1' })).toContain('--dashboard takes a port');
    expect(refused({ dashboard: 'scenario.yml' })).toContain('(got "scenario.yml")');
    expect(refused({ dashboard: '80.5' })).toContain('--dashboard takes a port');
    expect(refused({ dashboard: true, dashboardLinger: 'forever' })).toBe(
      '--dashboard-linger takes a duration from 0 to 24h, such as 60s or 10m (got "forever")',
    );
    expect(refused({ dashboard: true, dashboardLinger: '25h' })).toContain('from 0 to 24h');
    expect(refused({ dashboard: true, dashboardLinger: '-5s' })).toContain('--dashboard-linger takes');
    expect(refused({ dashboardLinger: '60s' })).toBe('--dashboard-linger goes with --dashboard, which serves the live dashboard');
  });
});
