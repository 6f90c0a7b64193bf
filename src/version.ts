import { readFileSync } from 'node:fs';
import { PACKAGE_JSON_PATH } from './assets.js';

/** loadseed's own version, from package.json. */
export const LOADSEED_VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8')) as { version: string }).version;
