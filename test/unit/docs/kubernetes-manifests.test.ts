import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { COMMAND_OPTIONS, GLOBAL_OPTIONS } from '../../../src/cli/command-options.js';
import type { OptionCommand } from '../../../src/cli/command-options.js';
import { parseDurationMs } from '../../../src/scenario/duration.js';

/**
 * deploy/kubernetes/: every document of every manifest, filled in as the README says (`envsubst '$RUN_ID
 * $START_AT'`), validates against the Kubernetes OpenAPI schemas (kubernetes-models), not only parses; no
 * volume needs ReadWriteMany (most clusters have none); the shell of each container is valid `sh`, and its
 * loadseed command lines use only flags the CLI defines.
 */
const DIR = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));
const FILES = readdirSync(DIR)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

/** What `envsubst '$RUN_ID $START_AT'` does before `kubectl apply`. */
function filledIn(text: string): string {
  return text.replaceAll('${RUN_ID}', 'run-20261207-000000').replaceAll('${START_AT}', '2026-12-07T00:02:00Z');
}

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly [key: string]: unknown;
}

function manifests(file: string): Manifest[] {
  return parseAllDocuments(filledIn(readFileSync(`${DIR}${file}`, 'utf8'))).map((doc) => {
    expect(doc.errors, file).toEqual([]);
    return doc.toJS() as Manifest;
  });
}

/** The kinds the manifests use, each with its model: validate() checks a document against the API's schema. */
const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
  'batch/v1 Job': Job,
  'v1 Secret': Secret,
  'v1 ConfigMap': ConfigMap,
};

interface Container {
  readonly name: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: { name: string; value?: string }[];
}

interface JobDocument extends Manifest {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly completionMode?: string;
    readonly completions?: number;
    readonly parallelism?: number;
    readonly backoffLimit?: number;
    readonly activeDeadlineSeconds?: number;
    readonly template: { readonly spec: { readonly containers: Container[]; readonly volumes?: Record<string, unknown>[] } };
  };
}

const jobs = (): JobDocument[] => FILES.flatMap((file) => manifests(file)).filter((doc): doc is JobDocument => doc.kind === 'Job');
const job = (name: string): JobDocument => {
  const found = jobs().find((doc) => doc.metadata.name === name);
  if (found === undefined) throw new Error(`no Job ${name}`);
  return found;
};

/** The flags a command takes: every spelling in its option table (`-o`, `--out`), the global ones, `--help`. */
function flagsOf(command: OptionCommand): Set<string> {
  const specs = [...COMMAND_OPTIONS[command], ...GLOBAL_OPTIONS];
  const flags = specs.flatMap((spec) => spec.flags.match(/--?[a-z][a-z-]*/g) ?? []);
  return new Set([...flags, '--help', '-h']);
}

/** Each `loadseed.js COMMAND …` in a shell script: the command and the flags it is given, up to the next `;`. */
function loadseedCalls(script: string): { command: string; flags: string[] }[] {
  return [...script.matchAll(/loadseed\.js\s+([a-z-]+)([^;]*)/g)].map((match) => ({
    command: match[1] ?? '',
    flags: (match[2] ?? '').match(/(?<=\s)--?[a-zA-Z][\w-]*/g) ?? [],
  }));
}

describe('deploy/kubernetes manifests', () => {
  it('has the shards, the merge and the store credentials, nothing it does not validate', () => {
    expect(FILES).toEqual(['loadseed-merge.yaml', 'loadseed-s3-credentials.yaml', 'loadseed-shards.yaml']);
  });

  it.each(FILES)('%s: every document validates against the Kubernetes OpenAPI schemas', (file) => {
    const docs = manifests(file);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const Model = MODELS[`${doc.apiVersion} ${doc.kind}`];
      expect(Model, `${file}: a model for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      if (Model !== undefined) expect(() => new Model(doc as never).validate(), `${file}: ${doc.kind}`).not.toThrow();
    }
  });

  it('the schemas are really checked: a wrong type or a missing field is refused', () => {
    const shards = job('loadseed-shards');
    expect(() => new Job({ ...shards, spec: { ...shards.spec, completions: 'four' } } as never).validate()).toThrow(
      /completions must be integer/,
    );
    const { template: _, ...untemplated } = shards.spec;
    expect(() => new Job({ ...shards, spec: untemplated } as never).validate()).toThrow(/template/);
  });

  it('needs no ReadWriteMany volume, nor any claim: results go to the object store or the log', () => {
    const all = FILES.flatMap((file) => manifests(file));
    expect(all.filter((doc) => doc.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(FILES.filter((file) => readFileSync(`${DIR}${file}`, 'utf8').includes('ReadWriteMany'))).toEqual([]);
    for (const doc of jobs())
      for (const volume of doc.spec.template.spec.volumes ?? []) expect(Object.keys(volume)).not.toContain('persistentVolumeClaim');
  });

  it('the shards: an Indexed Job of SHARDS pods at once, one start time, each stopping before the deadline', () => {
    const { spec } = job('loadseed-shards');
    const container = spec.template.spec.containers[0];
    const env = new Map((container?.env ?? []).map((variable) => [variable.name, variable.value]));
    expect(spec).toMatchObject({ completionMode: 'Indexed', backoffLimit: 0 });
    expect(spec.completions).toBe(Number(env.get('SHARDS')));
    expect(spec.parallelism).toBe(spec.completions);
    expect(env.get('START_AT')).toBe('2026-12-07T00:02:00Z');
    const script = container?.args?.join(' ') ?? '';
    expect(script).toContain('--shard "$i/$SHARDS"');
    expect(script).toContain('--start-at "$START_AT"');
    expect(script).toContain('i=$((JOB_COMPLETION_INDEX + 1))');
    // The kill switches: --max-duration ends each shard before activeDeadlineSeconds ends its pod.
    const maxDuration = parseDurationMs(/--max-duration (\S+)/.exec(script)?.[1] ?? '');
    expect(maxDuration).toBeDefined();
    expect((maxDuration ?? Infinity) / 1000).toBeLessThan(spec.activeDeadlineSeconds ?? 0);
  });

  it('the merge: reads the shards from the store, writes beside them, fails (not retried) on a violated SLA', () => {
    const { spec } = job('loadseed-merge');
    expect(spec.backoffLimit).toBe(0);
    expect(spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const script = spec.template.spec.containers[0]?.args?.join(' ') ?? '';
    expect(script).toContain('merge "$RESULTS/shards/"');
    expect(script).toContain('-o "$RESULTS/merged.json"');
    // Its exit code is the Job's: no `|| true`, no code mapping.
    expect(script).not.toMatch(/\|\||exit/);
  });

  it('every container script is valid sh, and calls loadseed with flags its commands define', () => {
    const calls: string[] = [];
    for (const doc of jobs()) {
      for (const container of doc.spec.template.spec.containers) {
        expect(container.command).toEqual(['sh', '-c']);
        const script = container.args?.join(' ') ?? '';
        execFileSync('sh', ['-n', '-c', script]);
        for (const call of loadseedCalls(script)) {
          expect(Object.keys(COMMAND_OPTIONS), `${doc.metadata.name}: loadseed ${call.command}`).toContain(call.command);
          const known = flagsOf(call.command as OptionCommand);
          expect(
            call.flags.filter((flag) => !known.has(flag)),
            `${doc.metadata.name}: loadseed ${call.command}`,
          ).toEqual([]);
          calls.push(`${call.command} ${call.flags.join(' ')}`);
        }
      }
    }
    expect(calls).toEqual(['merge -o --html --junit --markdown', 'run --shard --start-at --max-duration --out --html']);
  });
});
