/**
 * C0 and C1 control characters (ESC, BEL, CSI 0x9b, newline…) and the line and paragraph separators. A name,
 * host or message from a scenario or from a results file someone else made is text, not terminal commands:
 * raw, `\x1b]0;…\x07` sets the window title, `\x1b]52;c;…\x07` writes the clipboard, `\x1b[2J` clears the
 * screen — with colours off too.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * The one way an externally sourced string reaches the terminal: every control character is shown as its
 * JSON-style escape (`\u001b`), visible and inert. Newlines too: a name is one line.
 */
export function printableText(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A JSON-like value with printableText applied to every string and key: what the console renderers are
 * given, so that no field of a results file or comparison can be printed raw, whichever one a renderer uses.
 */
export function printableDeep<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return printableText(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([key, child]) => [printableText(key), walk(child)]));
  };
  return walk(value) as T;
}
