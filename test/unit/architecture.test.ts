import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The data flow of ARCHITECTURE.md, enforced: scenario → plan → engine (with metrics) → sla → results → report,
 * progress beside them, cli and api on top. Each folder of src/ may import only from the folders listed here
 * (and from the top-level modules: errors, version). An arrow against the flow fails this test.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  scenario: [],
  plan: ['scenario'],
  metrics: [],
  target: [],
  // The monotonic clock and timers longer than setTimeout's 24.8 days: used at every level below run/.
  time: [],
  // Bytes on the wire: the raw-socket HTTP/1.1 client, its response scanner, undici exchanges, TLS, cookies,
  // redirects, error categories. Each target meets the engine only at StepTarget (transport/step-target.ts).
  transport: ['scenario', 'plan', 'metrics', 'time'],
  // User journeys at run time: the flow target (templates, checks, captures, sessions) and the feeders.
  flow: ['scenario', 'plan', 'metrics', 'time', 'transport'],
  // Executors, schedules, phases, virtual users, worker threads: when each request starts, on which target.
  engine: ['scenario', 'plan', 'metrics', 'time', 'transport', 'flow'],
  // Beside the engine: samples the servers' resources while the engine runs the plan.
  monitor: ['scenario', 'plan'],
  sla: ['scenario', 'plan', 'metrics'],
  results: ['scenario', 'plan', 'metrics', 'engine', 'sla', 'monitor'],
  report: ['scenario', 'plan', 'metrics', 'sla', 'results', 'monitor'],
  progress: ['scenario', 'plan', 'metrics', 'engine', 'sla', 'report'],
  // Streaming outputs (JSON Lines, OTLP, remote write): plain figures in, pushed out; fed by run/.
  outputs: [],
  // The one place a run is orchestrated: prepare, execute (engine, monitor, stop conditions), finish (outputs).
  run: ['scenario', 'plan', 'metrics', 'time', 'engine', 'sla', 'results', 'report', 'monitor', 'outputs'],
  // The live web dashboard (`run --dashboard`): a loopback server fed the run's progress ticks, then its results.
  dashboard: ['scenario', 'plan', 'metrics', 'engine', 'sla', 'results', 'report'],
  // `loadseed import`: HAR, OpenAPI, curl and Artillery inputs turned into scenarios (plain data, checked by scenario/).
  import: ['scenario'],
  api: ['scenario', 'plan', 'metrics', 'engine', 'sla', 'results', 'report', 'progress', 'target', 'monitor', 'run', 'outputs'],
  cli: [
    'scenario',
    'plan',
    'metrics',
    'engine',
    'sla',
    'results',
    'report',
    'progress',
    'target',
    'api',
    'monitor',
    'run',
    'dashboard',
    'outputs',
    'import',
  ],
};

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('architecture', () => {
  it('has no import against the data flow', () => {
    const wrong: string[] = [];
    for (const file of filesUnder(SRC)) {
      const path = relative(SRC, file).split(/[\\/]/);
      if (path.length < 2) continue; // index.ts, errors.ts, version.ts: the top
      const folder = path[0] as string;
      const allowed = ALLOWED[folder];
      expect(allowed, `a rule for src/${folder}/`).toBeDefined();
      // Static (`from '../x/…'`, also `export … from`) and dynamic (`import('../x/…')`) imports alike.
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\(\s*)'\.\.\/([a-z-]+)\//g)) {
        const imported = match[1] as string;
        if (imported !== folder && !(allowed ?? []).includes(imported)) wrong.push(`src/${path.join('/')} imports ${imported}/`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
