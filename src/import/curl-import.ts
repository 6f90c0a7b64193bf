import type { ImportOptions, ImportResult } from './importer.js';

/** `loadseed import curl`: see importer.ts. */
export function importCurl(_text: string, _options: ImportOptions): ImportResult {
  throw new Error('import curl is not built yet');
}
