import type { ImportOptions, ImportResult } from './importer.js';

/** `loadseed import openapi`: see importer.ts. */
export function importOpenApi(_text: string, _options: ImportOptions): ImportResult {
  throw new Error('import openapi is not built yet');
}
