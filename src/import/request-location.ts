import type { SecretPlaceholders } from './secret-headers.js';
import { isSecretField } from './secret-headers.js';

/** The origin most of the URLs share (the first one's on a tie): the scenario's target. */
export function targetOf(urls: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const url of urls) {
    const origin = originOf(url);
    if (origin !== undefined) counts.set(origin, (counts.get(origin) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [origin, count] of counts) if (best === undefined || count > (counts.get(best) ?? 0)) best = origin;
  return best ?? 'http://127.0.0.1:8080';
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Where a request goes, as a scenario says it: `{path}` on the target's origin, else `{url}`; the values of
 * secret query fields (`token`, `password`, `api_key`…) as `${ENV}` placeholders, unless `isTemplated` says the
 * value becomes a `{{ variable }}` (a correlation).
 */
export function requestLocation(
  url: URL,
  target: string,
  secrets: SecretPlaceholders,
  where: string,
  isTemplated: (value: string) => boolean = () => false,
): { path: string } | { url: string } {
  let search = '';
  if (url.search !== '') {
    const parts = url.search
      .slice(1)
      .split('&')
      .map((part) => {
        const equals = part.indexOf('=');
        if (equals <= 0) return part;
        const name = safeDecode(part.slice(0, equals));
        const value = safeDecode(part.slice(equals + 1));
        if (!isSecretField(name) || value === '' || isTemplated(value)) return part;
        return `${part.slice(0, equals)}=${secrets.placeholder(value, name, `the query parameter ${name} ${where}`)}`;
      });
    search = `?${parts.join('&')}`;
  }
  const path = `${url.pathname}${search}`;
  return url.origin === target ? { path } : { url: `${url.origin}${path}` };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A JSON body with the string values of secret fields (`password`, `token`…), at any depth, as placeholders. */
export function secretJson(value: unknown, secrets: SecretPlaceholders, where: string): unknown {
  if (Array.isArray(value)) return value.map((item) => secretJson(item, secrets, where));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, inner]) => [
        name,
        isSecretField(name) && typeof inner === 'string' && inner !== '' && !inner.includes('{{')
          ? secrets.placeholder(inner, name, `the JSON field ${name} of the body ${where}`)
          : secretJson(inner, secrets, where),
      ]),
    );
  }
  return value;
}

/** A step's name, `#2`, `#3`… added when a name is taken again (`names` counts them). */
export function uniqueStepName(names: Map<string, number>, base: string): string {
  const count = (names.get(base) ?? 0) + 1;
  names.set(base, count);
  return count === 1 ? base : `${base} #${count}`;
}
