/**
 * JSON to embed in an HTML `<script type="application/json">` block: `<`, `>` and `&` written as `\u003c`,
 * `\u003e`, `\u0026`, so no string inside can close the block (`</script>`) or open a comment (`<!--`) that
 * changes how the HTML parser reads the rest of the page; U+2028 and U+2029 escaped too. `JSON.parse` of the
 * block's text gives back every string as it was.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
