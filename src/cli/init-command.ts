import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import ejs from 'ejs';
import { stringify } from 'yaml';
import { PACKAGE_ROOT, TEMPLATES_DIR } from '../assets.js';
import { ExitCode, UsageError } from '../errors.js';
import { formatDuration, parseDurationMs } from '../scenario/duration.js';
import { LOADSEED_VERSION } from '../version.js';
import { colorsFor } from './colors.js';
import type { CliIo } from './io.js';
import { schemaReference } from './schema-reference.js';
import type { GlobalOptions } from './global-options.js';

/** The built-in target's default address (`loadseed serve`). */
export const BUILT_IN_TARGET = 'http://127.0.0.1:8080';

export interface InitOptions {
  readonly url?: string;
  readonly profile: 'constant' | 'ramp' | 'arrival-rate';
  readonly users: number;
  readonly ratePerSec: number;
  readonly durationMs: number;
}

/** `loadseed init [file]`: writes a commented scenario that passes `validate`; refuses to overwrite without --force. */
export async function initCommand(
  file: string,
  raw: Record<string, string | boolean | undefined>,
  globals: GlobalOptions,
  io: CliIo,
): Promise<ExitCode> {
  const options = parseInitOptions(raw);
  const path = resolve(io.cwd, file);
  const text = await renderScenario(options, path, file);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, { flag: raw['force'] === true ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${file} already exists: pass --force to overwrite it`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory: give a file name, e.g. ${join(file, 'loadseed.yml')}`);
    throw new UsageError(`cannot write ${file} (${code ?? String(error)})`);
  }
  const c = colorsFor(io.stdout, io.env, !globals.color);
  io.stdout.write(`${c.green('✓')} wrote ${file}\n`);
  io.stdout.write(`  next: loadseed validate ${file}   then: loadseed run ${file}\n`);
  if (options.url === undefined) io.stdout.write(`  it targets the built-in server: start it with loadseed serve\n`);
  return ExitCode.Ok;
}

/** Checks the flags; each mistake is a UsageError (exit 2) naming the flag. */
export function parseInitOptions(raw: Record<string, string | boolean | undefined>): InitOptions {
  const text = (name: string, fallback: string): string => {
    const value = raw[name];
    return typeof value === 'string' ? value : fallback;
  };
  const profile = text('profile', 'constant');
  if (profile !== 'constant' && profile !== 'ramp' && profile !== 'arrival-rate') {
    throw new UsageError(`--profile must be constant, ramp or arrival-rate (got "${profile}")`);
  }
  const users = Number(text('users', '10'));
  if (!Number.isInteger(users) || users < 1 || users > 1_000_000) {
    throw new UsageError(`--users must be a whole number from 1 to 1000000 (got "${text('users', '')}")`);
  }
  const ratePerSec = Number(text('rate', '20'));
  if (!Number.isFinite(ratePerSec) || ratePerSec <= 0) {
    throw new UsageError(`--rate must be a number of iterations per second above 0 (got "${text('rate', '')}")`);
  }
  const durationText = text('duration', '30s');
  const durationMs = parseDurationMs(/^[0-9.]+$/.test(durationText) ? Number(durationText) : durationText);
  if (durationMs === undefined || durationMs <= 0) {
    throw new UsageError(`--duration must be a duration above 0 such as 30s, 2m or 1h30m (got "${durationText}")`);
  }
  const url = raw['url'];
  if (typeof url === 'string') {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new UsageError(
        `--url must be a full http:// or https:// URL with its path, e.g. http://127.0.0.1:3000/api/items (got "${url}")`,
      );
    }
  }
  return { ...(typeof url === 'string' ? { url } : {}), profile, users, ratePerSec, durationMs };
}

interface TemplateRequest {
  readonly name: string;
  readonly path: string;
  readonly expect?: string;
  readonly thinkTime?: string;
}

/** The scenario text for these options, written to `path` (which only decides the schema's relative path). */
export async function renderScenario(options: InitOptions, path: string, displayName: string): Promise<string> {
  const template = await readFile(join(TEMPLATES_DIR, 'init', 'scenario.yml.ejs'), 'utf8');
  let origin = BUILT_IN_TARGET;
  let requests: TemplateRequest[] = [
    { name: 'home', path: '/', expect: '200' },
    { name: 'catalog', path: '/json' },
    { name: 'search', path: yamlString('/latency?mean=20&p99=80'), thinkTime: '100ms' },
  ];
  if (options.url !== undefined) {
    const url = new URL(options.url);
    origin = url.origin;
    const lastSegment = url.pathname
      .split('/')
      .filter((part) => part !== '')
      .pop();
    requests = [{ name: yamlString(lastSegment ?? 'home'), path: yamlString(`${url.pathname}${url.search}`), expect: '200' }];
  }
  const halfMs = options.durationMs / 2;
  const schemaPath = schemaReference(path, PACKAGE_ROOT, LOADSEED_VERSION);
  const baseName = basename(path).replace(/\.ya?ml$/i, '') || 'loadseed';
  return ejs.render(template, {
    schemaPath,
    file: displayName,
    name: yamlString(baseName),
    baseName,
    builtIn: options.url === undefined,
    target: `\${TARGET_URL:-${origin}}`,
    requests,
    profile: options.profile,
    users: options.users,
    rate: options.ratePerSec,
    duration: formatDuration(options.durationMs),
    rampDuration: formatDuration(Math.ceil(halfMs)),
    steadyDuration: formatDuration(Math.floor(halfMs)),
  });
}

/** The value as a YAML string scalar: the yaml package quotes it whenever plain text would read back as something else (`50`, `true`). */
function yamlString(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}
