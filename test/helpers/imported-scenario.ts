import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportFormat, ImportResult } from '../../src/import/importer.js';
import { scenarioText } from '../../src/import/write-scenario.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { loadScenario } from '../../src/scenario/load-scenario.js';
import type { Scenario } from '../../src/scenario/types.js';

/**
 * An importer's scenario written as `loadseed import` writes it (write-scenario.ts) and loaded back by the
 * scenario loader (schema, checks, templates, data files) and planned: proof that it validates. Its `${ENV}` placeholders
 * are given `env` (or dummy values). `files` are written beside it first (a data file the scenario names).
 */
export async function loadImported(
  result: ImportResult,
  options: { format?: ImportFormat; env?: Record<string, string>; files?: Record<string, string> } = {},
): Promise<{ scenario: Scenario; text: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'loadseed-import-'));
  try {
    for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), content);
    const text = scenarioText(result, { format: options.format ?? 'openapi', source: 'input', schemaPath: 'scenario.schema.json' });
    await writeFile(join(dir, 'imported.yml'), text);
    const env = options.env ?? Object.fromEntries(result.env.map((name) => [name, `dummy-${name.toLowerCase()}`]));
    const scenario = await loadScenario('imported.yml', { env, cwd: dir });
    // As `loadseed validate` does: the plan is built too (load maths, templates compiled).
    buildPlan(scenario);
    return { scenario, text };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
