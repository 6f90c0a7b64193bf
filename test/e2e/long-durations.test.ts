import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer } from '../helpers/fault-servers.js';
import type { FaultServer } from '../helpers/fault-servers.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/**
 * Durations past 2³¹−1 ms (24.8 days): Node fires a setTimeout of that delay at once, which stopped a run
 * with `--max-duration 9999h` (or a scenario of `duration: 600h`, whose default kill switch is as long) as
 * soon as it began, exit 143.
 */
let dir: string;
let server: FaultServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-long-'));
  server = await startFaultServer({ kind: 'ok' });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function scenario(name: string, load: string): Promise<string> {
  await writeFile(
    join(dir, `${name}.yml`),
    `name: ${name}\ntarget: ${server.url}\nrequests: [{path: /}]\nload: ${load}\nreport: {html: false, json: ${name}.json}\n`,
  );
  return `${name}.yml`;
}

describe('long durations (built CLI)', () => {
  for (const limit of ['9999h', 'none']) {
    it(`--max-duration ${limit}: a 1 s run runs to its end, exit 0, every request counted`, async () => {
      const name = `limit-${limit}`;
      const before = server.requests();
      const out = await runBuiltCli(
        ['run', await scenario(name, '{profile: arrival_rate, rate: 20, duration: 1s}'), '--max-duration', limit],
        { cwd: dir },
      );
      expect(out.stderr).not.toContain('reached');
      expect(out.code).toBe(0);
      const doc = await readCheckedResults(dir, `${name}.json`);
      expect(doc.verdict).toBe('passed');
      expect(doc.run.interrupted).toBe(false);
      expect(doc.summary.total.count).toBe(server.requests() - before);
      expect(doc.summary.total.count).toBeGreaterThanOrEqual(19);
    }, 30_000);
  }

  it('duration: 600h runs until it is stopped (its default kill switch is past 2³¹−1 ms)', async () => {
    const before = server.requests();
    const out = await runBuiltCli(['run', await scenario('long', '{profile: arrival_rate, rate: 20, duration: 600h}')], {
      cwd: dir,
      timeoutMs: 60_000,
      onStart: (kill) => {
        // Stopped by us once the server has seen 10 of its requests: the run did not stop by itself.
        const poll = setInterval(() => {
          if (server.requests() - before >= 10) {
            clearInterval(poll);
            kill('SIGINT');
          }
        }, 20);
      },
    });
    expect(out.stderr).not.toContain('--max-duration');
    expect(out.code).toBe(130);
    const doc = await readCheckedResults(dir, 'long.json');
    expect(doc.summary.total.count).toBe(server.requests() - before);
    expect(doc.summary.total.count).toBeGreaterThanOrEqual(10);
  });
});
