import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { RESULTS_SCHEMA_PATH } from '../assets.js';
import { ResultsFileError } from '../errors.js';
import type { Recorder } from '../metrics/recorder.js';
import { customMetricStatOf, metricOf } from '../plan/thresholds.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { recorderFromDocument } from './recorder-encoding.js';
import { RESULTS_FORMAT_VERSION } from './results-document.js';
import type { ResultsDocument, ThresholdDocument } from './results-document.js';

/** A results file of a long, busy run is a few hundred KB; refused beyond this, before it is read. */
export const MAX_RESULTS_FILE_BYTES = 64 * 1024 * 1024;

let validator: ValidateFunction | undefined;

/** `schemas/results.schema.json`, compiled once (strict, all errors). */
function validate(): ValidateFunction {
  if (validator !== undefined) return validator;
  const schema = JSON.parse(readFileSync(RESULTS_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
  validator = ajv.compile(schema);
  return validator;
}

/** Problems of `data` against the results schema, one line each (`/summary/total/count must be integer`); empty when it conforms. */
export function resultsSchemaProblems(data: unknown): string[] {
  const check = validate();
  if (check(data)) return [];
  return (check.errors ?? []).map(describeError);
}

/**
 * Reads a results file (`path` relative to `cwd`) and checks it is one this loadseed reads: JSON, a loadseed
 * results document, of this format version, valid against the schema. Throws a ResultsFileError (exit 2)
 * naming the file otherwise. `file` is the path as the user gave it, for messages.
 */
export async function readResultsFile(file: string, cwd: string): Promise<ResultsDocument> {
  let text: string;
  try {
    // Checked before reading: parsing a file holds several times its size in memory.
    const { size, isFile } = await stat(resolve(cwd, file)).then((stats) => ({ size: stats.size, isFile: stats.isFile() }));
    if (isFile && size > MAX_RESULTS_FILE_BYTES) {
      throw new ResultsFileError(
        file,
        `${Math.round(size / (1024 * 1024))} MB, larger than a results file may be (${MAX_RESULTS_FILE_BYTES / (1024 * 1024)} MB)`,
      );
    }
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    if (error instanceof ResultsFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResultsFileError(
      file,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a directory, not a results file'
          : `cannot be read (${code ?? String(error)})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(file, `not valid JSON (${(error as Error).message})`);
  }
  return checkResults(file, data);
}

/** `data` as a results document of this version, or a ResultsFileError naming `file`. */
export function checkResults(file: string, data: unknown): ResultsDocument {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || (data as { kind?: unknown }).kind !== 'loadseed-results') {
    throw new ResultsFileError(
      file,
      'not a loadseed results document (no "kind": "loadseed-results"); write one with `loadseed run --out`',
    );
  }
  const version = (data as { version?: unknown }).version;
  if (version !== RESULTS_FORMAT_VERSION) {
    throw new ResultsFileError(
      file,
      `results format version ${JSON.stringify(version)}, but this loadseed reads version ${RESULTS_FORMAT_VERSION} only`,
    );
  }
  const problems = resultsSchemaProblems(data);
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new ResultsFileError(file, `not a valid results document: ${shown}${more}`);
  }
  return data as ResultsDocument;
}

/** The recorder a results document holds, or a ResultsFileError naming `file`. */
export function recorderOfResults(file: string, results: ResultsDocument): Recorder {
  let recorder: Recorder;
  try {
    recorder = recorderFromDocument(results.recorder);
  } catch (error) {
    throw new ResultsFileError(file, `corrupt recorder data: ${(error as Error).message}`);
  }
  const names = results.summary.requests.map((stats) => stats.name);
  if (names.length !== recorder.metricNames.length || names.some((name, index) => name !== recorder.metricNames[index])) {
    throw new ResultsFileError(file, 'the recorder does not match the summary (different request names)');
  }
  return recorder;
}

/** The thresholds a results document was judged by, planned again from key, request and limit. */
export function plannedThresholdsOf(file: string, results: ResultsDocument): PlannedThreshold[] {
  return results.thresholds.map((threshold: ThresholdDocument) => {
    const stat = threshold.metric === undefined ? undefined : customMetricStatOf(threshold.key);
    const metric = threshold.metric === undefined ? metricOf(threshold.key) : stat && { kind: 'custom-metric' as const, stat };
    if (metric === undefined) throw new ResultsFileError(file, `unknown threshold "${threshold.key}"`);
    return {
      key: threshold.key,
      metric,
      limit: threshold.limit,
      ...(threshold.request === undefined ? {} : { request: threshold.request }),
      ...(threshold.scenario === undefined ? {} : { scenario: threshold.scenario }),
      ...(threshold.tag === undefined ? {} : { tag: threshold.tag }),
      ...(threshold.metric === undefined ? {} : { customMetric: threshold.metric }),
      ...(threshold.default === true ? { default: true as const } : {}),
    };
  });
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the document' : error.instancePath;
  if (error.keyword === 'additionalProperties') {
    return `${where} has an unexpected property "${String((error.params as { additionalProperty: string }).additionalProperty)}"`;
  }
  if (error.keyword === 'required') return `${where} lacks "${String((error.params as { missingProperty: string }).missingProperty)}"`;
  return `${where} ${error.message ?? 'is invalid'}`;
}
