import { fileURLToPath } from 'node:url';

/**
 * Files shipped beside the code. `dist/` mirrors `src/` at the same depth, so the same relative
 * URLs work from the sources (vitest) and from the build.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SCENARIO_SCHEMA_PATH = fileURLToPath(new URL('../schemas/scenario.schema.json', import.meta.url));
export const RESULTS_SCHEMA_PATH = fileURLToPath(new URL('../schemas/results.schema.json', import.meta.url));
/** The built-in gRPC target's service (`loadseed serve --grpc`), shipped for scenarios to name in `proto:`. */
export const ECHO_PROTO_PATH = fileURLToPath(new URL('../schemas/echo.proto', import.meta.url));
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));
export const SCENARIOS_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));
/**
 * The HTML report's script: `src/report/browser/` bundled by esbuild into one IIFE, which only the build makes
 * (`npm run build`). Read from `dist/` whether this module runs from `dist/` or from `src/` (vitest).
 */
export const REPORT_PAGE_SCRIPT_PATH = fileURLToPath(new URL('../dist/report/browser/report-page.js', import.meta.url));
/** The live dashboard's script (`run --dashboard`): the second bundle of `src/report/browser/`, read from `dist/` likewise. */
export const DASHBOARD_PAGE_SCRIPT_PATH = fileURLToPath(new URL('../dist/report/browser/dashboard-page.js', import.meta.url));
export const PACKAGE_JSON_PATH = fileURLToPath(new URL('../package.json', import.meta.url));
