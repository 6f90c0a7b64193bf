import type { ImportOptions, ImportResult } from './importer.js';

/** `loadseed import har`: see importer.ts. */
export function importHar(_text: string, _options: ImportOptions): ImportResult {
  throw new Error('import har is not built yet');
}
