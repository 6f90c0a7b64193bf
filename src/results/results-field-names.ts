import { readFileSync } from 'node:fs';
import { RESULTS_SCHEMA_PATH } from '../assets.js';

let cached: ReadonlySet<string> | undefined;

/**
 * Every property name `schemas/results.schema.json` defines, at any depth: the results file's own field names,
 * as opposed to the names that are data (requests, statuses, tags, metrics). Read once, on first use.
 */
export function resultsFieldNames(): ReadonlySet<string> {
  cached ??= propertyNamesIn(JSON.parse(readFileSync(RESULTS_SCHEMA_PATH, 'utf8')));
  return cached;
}

/** The keys of every `properties` object within a JSON Schema, nested schemas and `$defs` included. */
export function propertyNamesIn(schema: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'properties' && child !== null && typeof child === 'object') {
        for (const name of Object.keys(child)) names.add(name);
      }
      walk(child);
    }
  };
  walk(schema);
  return names;
}
