/**
 * Secrets found in an imported input (Authorization, Cookie, X-API-Key… header values, basic-auth passwords,
 * `token`/`password` query and form fields) become `${ENV_NAME}` placeholders: the scenario reads them from the
 * environment, and the written file never holds a secret of the input. Shared by every importer.
 */

/** Headers whose whole value is a secret (lower-case). */
const SECRET_HEADER_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
]);

/** Query and form field names whose values are secrets (lower-case, `_`/`-` ignored). */
const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set([
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'key',
  'password',
  'passwd',
  'pwd',
  'secret',
  'clientsecret',
  'auth',
  'sig',
  'signature',
]);

/** Whether a header's value is a secret: a known name, or one that says what it holds (`x-session-token`). */
export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADER_NAMES.has(lower) || /(?:^|-)(?:token|secret|api-?key|password|session)(?:-|$)/.test(lower);
}

/** Whether a query or form field's value is a secret (`token`, `password`, `api_key`…). */
export function isSecretField(name: string): boolean {
  const compact = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_FIELD_NAMES.has(compact) || /(?:token|password|secret)$/.test(compact);
}

/** An environment variable's name from a header or field name: `X-API-Key` → `X_API_KEY`. */
export function envNameOf(name: string): string {
  const upper = name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (upper === '') return 'SECRET';
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}

/** Values shorter than this are not worth a placeholder (and would replace too much text in the sweep). */
const MIN_SECRET_CHARS = 4;

/**
 * The secrets of one import: each distinct value gets one `${NAME}` placeholder (the same value met again gets
 * the same one), names made unique with `_2`, `_3`…. `sweep` replaces every remaining occurrence of a secret in
 * the scenario's strings (a token repeated in a URL, in a body) with its placeholder.
 */
export class SecretPlaceholders {
  private readonly byValue = new Map<string, string>();
  private readonly names = new Set<string>();
  private readonly sources: string[] = [];

  /** The placeholder (`${NAME}`) that stands for `value`, found in `where` (a header, a field: for the note). */
  placeholder(value: string, nameHint: string, where: string): string {
    const known = this.byValue.get(value);
    if (known !== undefined) return `\${${known}}`;
    const base = envNameOf(nameHint);
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}_${n}`;
    this.names.add(name);
    this.byValue.set(value, name);
    this.sources.push(`secret: \${${name}} stands for ${where}`);
    return `\${${name}}`;
  }

  /** A placeholder for a secret the input does not hold (a password curl would prompt for). */
  missing(nameHint: string, where: string): string {
    return this.placeholder(`\u0000${nameHint}`, nameHint, where);
  }

  /**
   * A secret header's value as a placeholder. An `Authorization` value keeps its scheme (`Bearer ${AUTH_TOKEN}`,
   * `Basic ${AUTHORIZATION_BASIC}`), so the variable holds the credential alone.
   */
  headerValue(name: string, value: string, where: string): string {
    const scheme = /^(Bearer|Basic|Token|Digest|ApiKey)\s+(\S.*)$/i.exec(value);
    if (scheme !== null && /authorization$/i.test(name)) {
      const [, word = '', credential = ''] = scheme;
      const hint = word.toLowerCase() === 'bearer' ? 'AUTH_TOKEN' : `${name}_${word}`;
      return `${word} ${this.placeholder(credential, hint, `the ${word} credential of the ${name} header ${where}`)}`;
    }
    return this.placeholder(value, name, `the ${name} header ${where}`);
  }

  /** The environment variables the placeholders read, in the order they were made. */
  get env(): string[] {
    return [...this.byValue.values()];
  }

  /** One note per variable: where its secret was found (never the value). */
  get notes(): string[] {
    return this.sources;
  }

  /** Whether any secret was found. */
  get isEmpty(): boolean {
    return this.byValue.size === 0;
  }

  /** Every string of `data` with each secret value (of at least 4 characters) replaced by its placeholder, in every form it was found. */
  sweep<T>(data: T): T {
    const secrets = [...this.byValue.entries()]
      .filter(([value]) => value.length >= MIN_SECRET_CHARS)
      .flatMap(([value, name]) => formsOf(value).map((form) => [form, `\${${name}}`] as const))
      .sort((a, b) => b[0].length - a[0].length);
    if (secrets.length === 0) return data;
    const replace = (text: string): string => {
      let out = text;
      for (const [form, placeholder] of secrets) if (out.includes(form)) out = out.split(form).join(placeholder);
      return out;
    };
    const walk = (value: unknown): unknown => {
      if (typeof value === 'string') return replace(value);
      if (Array.isArray(value)) return value.map(walk);
      if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [replace(key), walk(inner)]));
      }
      return value;
    };
    return walk(data) as T;
  }
}

/** A secret as written, percent-encoded and form-encoded: the forms it takes in URLs and bodies. */
function formsOf(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]);
  return [...forms];
}
