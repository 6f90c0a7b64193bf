/**
 * Artillery's `{{ … }}` templates in loadseed's syntax, which is the same for variables. Its helpers map to
 * loadseed's where one exists: `$randomNumber(a, b)` → `$randomInt(a, b)`, `$randomString(n)` (default 10) →
 * `$randomString(n)`, `$uuid` → `$uuid`, `$timestamp` → `$timestamp`; `$processEnvironment.NAME` and
 * `$env.NAME` become `${NAME}` placeholders (read when the scenario loads). Anything else (`$loopElement`,
 * `$loopCount`, a property of an object variable, a function of a processor) cannot be mapped: it is removed
 * and noted.
 */
export interface TemplateContext {
  /** Variables the templates read. */
  readonly variables: Set<string>;
  /** Environment variables read through `$processEnvironment` / `$env`. */
  readonly env: Set<string>;
  /** What was removed, one note each, with where it was. */
  readonly notes: string[];
}

const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RANDOM_NUMBER = /^\$randomNumber\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)$/;
const RANDOM_STRING = /^\$randomString\(\s*(\d*)\s*\)$/;
const ENV = /^\$(?:processEnvironment|env)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** The text with each template rewritten (see above); `where` names the place in the script for notes. */
export function convertTemplates(text: string, where: string, context: TemplateContext): string {
  if (!text.includes('{{')) return text;
  return text.replace(TEMPLATE, (whole, inner: string) => {
    const expression = inner.trim();
    if (IDENTIFIER.test(expression)) {
      context.variables.add(expression);
      return `{{ ${expression} }}`;
    }
    const random = RANDOM_NUMBER.exec(expression);
    if (random !== null) {
      const [min, max] = [Number(random[1]), Number(random[2])];
      return `{{ $randomInt(${Math.min(min, max)}, ${Math.max(min, max)}) }}`;
    }
    const randomString = RANDOM_STRING.exec(expression);
    if (randomString !== null) return `{{ $randomString(${randomString[1] === '' ? 10 : randomString[1]}) }}`;
    if (expression === '$uuid' || expression === '$randomUUID()') return '{{ $uuid }}';
    if (expression === '$timestamp' || expression === '$timestamp()') return '{{ $timestamp }}';
    const env = ENV.exec(expression);
    if (env !== null) {
      context.env.add(env[1] as string);
      return `\${${env[1] as string}}`;
    }
    context.notes.push(`${where}: the template ${whole} has no loadseed equivalent: removed`);
    return '';
  });
}

/** Every string of a JSON-like value through convertTemplates (keys are left as they are: never templated). */
export function convertValue<T>(value: T, where: string, context: TemplateContext): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return convertTemplates(node, where, context);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
    return node;
  };
  return walk(value) as T;
}
