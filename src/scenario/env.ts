/** The environment a scenario reads `${VAR}` references from. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface Substitution {
  /** The text with every reference replaced. */
  readonly value: string;
  /** Names referenced without a default and not set (or empty) in the environment, each once. */
  readonly missing: readonly string[];
  /** Names whose values were taken from the environment, each once (their values are secrets for the reports). */
  readonly used: readonly string[];
  /** References that are not well formed, e.g. `${}` or `${1X}`, quoted as written. */
  readonly malformed: readonly string[];
}

/** `$${`, a whole `${...}`, or an unclosed `${...` to the end of the text (reported as malformed). */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{[^}]*$/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces `${VAR}` and `${VAR:-default}` (default used when VAR is unset or empty, as in POSIX shells).
 * `$${` stands for a literal `${`; a default may not hold a reference (`${A:-${B}}` is malformed). Text without
 * `$` is returned as is, without allocating.
 */
export function substituteEnv(text: string, env: Environment): Substitution {
  if (!text.includes('${')) return { value: text, missing: [], used: [], malformed: [] };
  const missing: string[] = [];
  const used: string[] = [];
  const malformed: string[] = [];
  const value = text.replace(REFERENCE, (whole: string, inner: string | undefined) => {
    if (whole === '$${') return '${';
    if (inner === undefined) {
      malformed.push(whole);
      return whole;
    }
    const match = NAME_AND_DEFAULT.exec(inner);
    // A default runs to the first `}`: in `${A:-${B}}` it would be the text `${B` (and a stray `}` after it), so a
    // nested reference is malformed rather than a silent literal.
    if (match === null || match[2]?.includes('${') === true) {
      malformed.push(whole);
      return whole;
    }
    const name = match[1] as string;
    const fallback = match[2];
    // Own variables only: `${constructor}` must not read Object.prototype.constructor of a plain object.
    const fromEnv = Object.hasOwn(env, name) ? env[name] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (!used.includes(name)) used.push(name);
      return fromEnv;
    }
    if (fallback !== undefined) return fallback;
    if (!missing.includes(name)) missing.push(name);
    return whole;
  });
  return { value, missing, used, malformed };
}
