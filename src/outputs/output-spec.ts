import { closest, distance } from 'fastest-levenshtein';
import { UsageError } from '../errors.js';
import { STREAM_OUTPUT_KINDS } from './stream-output.js';
import type { StreamOutputKind } from './stream-output.js';

/** A streaming output asked for: its kind, its file or URL, and what asked (for messages). */
export interface OutputSpec {
  readonly kind: StreamOutputKind;
  /** A file path (or `-`, stdout) for jsonl; an http(s) URL for the others. */
  readonly target: string;
  /** `--output "jsonl=x"`, `report.outputs[0] in x.yml`. */
  readonly source: string;
}

/** What each kind takes, for the message when the target is missing. */
const TARGETS: Readonly<Record<StreamOutputKind, string>> = {
  jsonl: 'a file, or - for stdout (jsonl=run.jsonl)',
  otlp: 'the URL of an OTLP/HTTP receiver (otlp=http://localhost:4318)',
  'prometheus-rw': 'the URL of a remote-write receiver (prometheus-rw=http://localhost:9090/api/v1/write)',
};

const EXAMPLES = 'jsonl=run.jsonl, otlp=http://localhost:4318 or prometheus-rw=http://localhost:9090/api/v1/write';

/** `--output KIND=TARGET` → the spec, checked (see `checkOutputSpec`). Throws UsageError (exit 2). */
export function parseOutputSpec(text: string): OutputSpec {
  const source = `--output ${JSON.stringify(text)}`;
  const at = text.indexOf('=');
  if (at === -1) throw new UsageError(`${source}: expected KIND=TARGET, such as ${EXAMPLES}`);
  return checkOutputSpec(text.slice(0, at).trim(), text.slice(at + 1).trim(), source);
}

/**
 * A kind and a target, checked: a known kind (else the nearest one is suggested), a target, and for the
 * receivers an http(s) URL with a host. Throws UsageError (exit 2) naming `source`.
 */
export function checkOutputSpec(kind: string, target: string, source: string): OutputSpec {
  if (!isKind(kind)) {
    const lower = kind.toLowerCase();
    // `prom`, `prometheus`, `json`: the start of a kind is as telling as a typo.
    const stem = lower.length >= 3 ? STREAM_OUTPUT_KINDS.find((known) => known.startsWith(lower.slice(0, 4))) : undefined;
    const nearest = stem ?? closest(lower, [...STREAM_OUTPUT_KINDS]);
    const hint =
      stem !== undefined || (kind !== '' && distance(lower, nearest) <= Math.max(2, Math.floor(kind.length / 3)))
        ? `; did you mean ${nearest}?`
        : '';
    throw new UsageError(
      `${source}: ${kind === '' ? 'no kind' : `unknown kind ${JSON.stringify(kind)}`}${hint} (kinds: ${STREAM_OUTPUT_KINDS.join(', ')})`,
    );
  }
  if (target === '') {
    throw new UsageError(`${source}: no target: ${kind}= needs ${TARGETS[kind]}`);
  }
  if (kind !== 'jsonl') {
    const problem = urlProblem(target);
    if (problem !== undefined) throw new UsageError(`${source}: ${problem}`);
  }
  return { kind, target, source };
}

/** The URL as shown in messages and files: without its password. */
export function shownTarget(target: string): string {
  if (!/^https?:/i.test(target)) return target;
  try {
    const url = new URL(target);
    if (url.password === '') return target;
    url.password = '***';
    return url.toString();
  } catch {
    return target;
  }
}

function isKind(kind: string): kind is StreamOutputKind {
  return (STREAM_OUTPUT_KINDS as readonly string[]).includes(kind);
}

function urlProblem(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `${JSON.stringify(target)} is not a URL (expected http://HOST:PORT/…)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${JSON.stringify(target)}: only http and https URLs are supported`;
  if (url.hostname === '') return `${JSON.stringify(target)} has no host`;
  return undefined;
}
