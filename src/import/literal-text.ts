/**
 * Text from an input written into a scenario so that it means itself: `${` becomes `$${` (a scenario reads
 * `${NAME}` as an environment variable). With `breakTemplates`, `{{` becomes `{ {` too: a scenario has no escape
 * for a literal `{{`, which would be read as a template. `brokeTemplate` tells whether a `{{` had to be broken.
 */
export function literalText(text: string, breakTemplates: boolean): { readonly text: string; readonly brokeTemplate: boolean } {
  let out = text.includes('${') ? text.replaceAll('${', () => '$${') : text;
  const brokeTemplate = breakTemplates && out.includes('{{');
  if (brokeTemplate) out = out.replaceAll('{{', '{ {');
  return { text: out, brokeTemplate };
}

/**
 * Every string value of a JSON-like value through literalText (keys are neither substituted nor templated);
 * `onBroken` is called when a `{{` was broken.
 */
export function literalValue(value: unknown, breakTemplates: boolean, onBroken: () => void = () => undefined): unknown {
  const text = (input: string): string => {
    const result = literalText(input, breakTemplates);
    if (result.brokeTemplate) onBroken();
    return result.text;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return text(node);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item)]));
    }
    return node;
  };
  return walk(value);
}
