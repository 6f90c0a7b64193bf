import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const SCHEMA_IN_PACKAGE = join('schemas', 'scenario.schema.json');

/** The versioned URL of the scenario schema, for files that cannot reach an installed copy. */
export function schemaUrl(version: string): string {
  return `https://unpkg.com/loadseed@${version}/schemas/scenario.schema.json`;
}

/**
 * What `init` writes after `$schema=` in a scenario at `scenarioPath`, for the loadseed package at
 * `packageRoot`. A path relative to the scenario when the schema is part of its project: loadseed installed as
 * `node_modules/loadseed` in the scenario's folder or above (the path goes through `node_modules`, so it stays
 * true on every machine that runs `npm install`), or the scenario inside loadseed's own checkout. Otherwise —
 * npx, a global install, another version — the versioned URL, never a path into a machine-local cache.
 */
export function schemaReference(scenarioPath: string, packageRoot: string, version: string): string {
  const root = realpathOrUndefined(packageRoot);
  if (root === undefined) return schemaUrl(version);
  const from = dirname(scenarioPath);
  for (let dir = from; ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', 'loadseed');
    if (existsSync(installed) && realpathOrUndefined(installed) === root)
      return portable(relative(from, join(installed, SCHEMA_IN_PACKAGE)));
    if (dirname(dir) === dir) break;
  }
  const inCheckout = !root.split(sep).includes('node_modules') && !relative(root, realpathOrUndefined(from) ?? from).startsWith('..');
  return inCheckout ? portable(relative(from, join(root, SCHEMA_IN_PACKAGE))) : schemaUrl(version);
}

function portable(path: string): string {
  return path.split(sep).join('/');
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
