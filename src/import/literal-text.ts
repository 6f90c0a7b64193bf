import { literalBraces } from './literal-braces.js';

/**
 * Every string value of a JSON-like value from an input through literalBraces: a `{{` of the input is sent as
 * written, never read as a template (keys are never templated: left as they are). `${` needs nothing here:
 * write-scenario.ts writes every `${` that is not a placeholder of the import as `$${`. `onBroken` is called
 * when a `{{` was made literal.
 */
export function withoutTemplates<T>(value: T, onBroken: () => void = () => undefined): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('{{')) return node;
      onBroken();
      return literalBraces(node);
    }
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
    return node;
  };
  return walk(value) as T;
}
