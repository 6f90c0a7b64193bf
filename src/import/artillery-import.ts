import type { ImportOptions, ImportResult } from './importer.js';

/** `loadseed import artillery`: see importer.ts. */
export function importArtillery(_text: string, _options: ImportOptions): ImportResult {
  throw new Error('import artillery is not built yet');
}
