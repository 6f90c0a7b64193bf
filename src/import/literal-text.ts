/**
 * Text from an input that a scenario must send as written: a scenario reads `{{` as a template and has no escape
 * for it, so `{{` is written `{ {`. (`${` needs nothing here: write-scenario.ts writes every `${` that is not a
 * placeholder of the import as `$${`.) `onBroken` is called when a `{{` was broken.
 */
export function withoutTemplates<T>(value: T, onBroken: () => void = () => undefined): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('{{')) return node;
      onBroken();
      return node.replaceAll('{{', '{ {');
    }
    if (Array.isArray(node)) return node.map(walk);
    // Keys are never templated: left as they are.
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
    return node;
  };
  return walk(value) as T;
}
