import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ImportResult } from '../../src/import/importer.js';
import { loadScenario } from '../../src/scenario/load-scenario.js';
import type { Scenario } from '../../src/scenario/types.js';

/**
 * An importer's scenario written as YAML and loaded back by the scenario loader (schema, checks, templates,
 * data files): proof that it validates. Its `${ENV}` placeholders are given `env` (or dummy values). `files` are
 * written beside it first (a data file the scenario names).
 */
export async function loadImported(
  result: ImportResult,
  options: { env?: Record<string, string>; files?: Record<string, string> } = {},
): Promise<{ scenario: Scenario; text: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'loadseed-import-'));
  try {
    for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), content);
    const text = stringify(result.scenario);
    await writeFile(join(dir, 'imported.yml'), text);
    const env = options.env ?? Object.fromEntries(result.env.map((name) => [name, `dummy-${name.toLowerCase()}`]));
    const scenario = await loadScenario('imported.yml', { env, cwd: dir });
    return { scenario, text };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
