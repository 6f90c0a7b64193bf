import { assertNever } from '../errors.js';
import type { Importer, ImportFormat } from './importer.js';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['har', 'openapi', 'curl', 'artillery'];

/** The importer of a format, imported only when used. */
export async function importerOf(format: ImportFormat): Promise<Importer> {
  switch (format) {
    case 'har':
      return (await import('./har-import.js')).importHar;
    case 'openapi':
      return (await import('./openapi-import.js')).importOpenApi;
    case 'curl':
      return (await import('./curl-import.js')).importCurl;
    case 'artillery':
      return (await import('./artillery-import.js')).importArtillery;
    default:
      return assertNever(format);
  }
}
