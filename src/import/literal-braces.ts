/** A literal `{{` as a scenario writes it: templates have no escape, so a template whose value is `{{`. */
const LITERAL_OPEN = "{{ $pick('{{') }}";

/**
 * The input's text with each `{{` made literal, so that text copied from the input (a body, a header, a query)
 * is never read as a template. Applied before the importer puts in templates of its own.
 */
export function literalBraces(text: string): string {
  return text.includes('{{') ? text.split('{{').join(LITERAL_OPEN) : text;
}
