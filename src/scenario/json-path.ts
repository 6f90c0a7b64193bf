import { JSONPath } from 'jsonpath-plus';

/**
 * The JSONPath grammar loadseed accepts, checked without any document. jsonpath-plus (which evaluates the
 * paths, `eval: 'safe'`) parses lazily and reads almost anything as a property name, so a broken path would
 * only ever "match nothing" under load. Accepted, and nothing else:
 *
 * ```
 * path     = "$" segment*
 * segment  = "." name | "." "*" | ".." name | ".." "*" | ".."? "[" selector "]"
 * selector = "*" | index | "'" text "'" | '"' text '"' | union | slice | "?(" expression ")" | "(" expression ")"
 * index    = digits                       (from the start; [-1:] for the last item)
 * union    = member ("," member)+         (member: digits or a bare name)
 * slice    = int? ":" int? (":" digits?)? (a step of 1 or more)
 * ```
 *
 * A name is a run of characters other than spaces and `.[](),'"~^;#@\`` (anything but `'`, `]`, `,` and `\`
 * inside quotes). An expression is the one jsonpath-plus's safe evaluator runs: its `@` words rewritten as
 * jsonpath-plus rewrites them, then parsed (not run) by that evaluator's own parser (jsep); it may name only
 * `@`, `@root`, `@parent`, `@parentProperty`, `@property` and `@path`. Last, jsonpath-plus's own split of the
 * path must be the one above, so that what passes here is read by it as written.
 */
export function jsonPathProblem(path: string): string | undefined {
  const parsed = parseSegments(path);
  if (typeof parsed === 'string') return parsed;
  const theirs = JSONPath.toPathArray(path);
  for (const [index, segment] of parsed.entries()) {
    if (theirs[index] !== segment.text) {
      return `jsonpath-plus cannot read the part at character ${segment.at + 1} as written (it reads ${JSON.stringify(theirs[index] ?? '')})`;
    }
  }
  if (theirs.length !== parsed.length) return 'jsonpath-plus cannot read this path as written';
  return undefined;
}

/** One step of a path as jsonpath-plus's `toPathArray` spells it, and where it starts in the path (0-based). */
interface Segment {
  readonly text: string;
  readonly at: number;
}

/** Characters that never appear in an unquoted name. */
const NOT_IN_NAME = new Set([...'.[](),\'"~^;#@`\\']);
const NOT_IN_QUOTED = new Set([..."',]\\"]);
const INTEGER = /^-?\d+$/;
const SLICE = /^([^:]*):([^:]*)(?::(.*))?$/s;

/** Where in the path, for messages: 1-based. */
const at = (index: number): string => `at character ${index + 1}`;

function parseSegments(path: string): Segment[] | string {
  if (!path.startsWith('$')) return 'a JSONPath starts with $ (the whole document), e.g. $.items[0].id';
  const segments: Segment[] = [{ text: '$', at: 0 }];
  let index = 1;
  while (index < path.length) {
    const char = path[index] as string;
    if (/\s/.test(char)) return `a space ${at(index)}: a name with spaces is written in quotes, e.g. ['a b']`;
    if (char === '[') {
      const bracket = parseBracket(path, index);
      if (typeof bracket === 'string') return bracket;
      segments.push(bracket.segment);
      index = bracket.end;
      continue;
    }
    if (char !== '.') return `unexpected "${char}" ${at(index)}: expected . or [`;
    let start = index + 1;
    if (path[start] === '.') {
      segments.push({ text: '..', at: index });
      start += 1;
      if (path[start] === '[') {
        index = start;
        continue;
      }
    }
    const name = readName(path, start);
    if (name === '') {
      const next = path[start];
      if (next === undefined) return `the path ends ${at(start - 1)} where a name or * was expected`;
      if (next === '.') return `"..." ${at(start - 2)}: write . for a child or .. for any descendant`;
      return `unexpected "${next}" ${at(start)}: expected a name or *`;
    }
    segments.push({ text: name, at: start });
    index = start + name.length;
  }
  return segments;
}

/** An unquoted name: up to the first character that ends one. */
function readName(path: string, start: number): string {
  let end = start;
  while (end < path.length && !NOT_IN_NAME.has(path[end] as string) && !/\s/.test(path[end] as string)) end++;
  return path.slice(start, end);
}

/** A bracket's segment and the index just past its `]`; or what is wrong with it. */
type ParsedBracket = { readonly segment: Segment; readonly end: number } | string;

/** `[...]` starting at `open`, whichever its form. */
function parseBracket(path: string, open: number): ParsedBracket {
  const first = path[open + 1];
  if (first === undefined) return `"[" ${at(open)} is never closed`;
  if (first === '?' || first === '(') return parseExpressionBracket(path, open, first);
  if (first === "'" || first === '"') return parseQuotedBracket(path, open, first);
  const close = path.indexOf(']', open + 1);
  const nested = path.indexOf('[', open + 1);
  if (close === -1) return `"[" ${at(open)} is never closed`;
  if (nested !== -1 && nested < close) return `unexpected "[" ${at(nested)} inside [ ]`;
  const inside = path.slice(open + 1, close);
  const space = /\s/.exec(inside);
  if (space !== null) return `a space ${at(open + 1 + space.index)}: write [1,2] or ['a b'], without spaces around the parts`;
  if (inside === '') return `empty brackets ${at(open)}: expected an index, a name, *, a slice or a filter`;
  if (inside === '*') return { segment: { text: '*', at: open }, end: close + 1 };
  const slice = SLICE.exec(inside);
  const problem = slice === null ? membersProblem(inside, open) : sliceProblem(slice, open);
  if (problem !== undefined) return problem;
  return { segment: { text: inside, at: open }, end: close + 1 };
}

/** `[?(expression)]` (a filter) or `[(expression)]` (a script). */
function parseExpressionBracket(path: string, open: number, first: '?' | '('): ParsedBracket {
  const paren = first === '?' ? open + 2 : open + 1;
  if (path[paren] !== '(') return `"?" ${at(open + 1)} starts a filter, written [?(expression)]`;
  const close = matchingParen(path, paren);
  if (typeof close === 'string') return close;
  if (path[close + 1] !== ']') {
    return path[close + 1] === undefined ? `"[" ${at(open)} is never closed` : `expected "]" ${at(close + 1)}, after the expression`;
  }
  const what = first === '?' ? 'filter' : 'script';
  const body = path.slice(paren + 1, close);
  const problem = expressionProblem(body, paren + 1, what, open);
  if (problem !== undefined) return problem;
  return { segment: { text: path.slice(open + 1, close + 1), at: open }, end: close + 2 };
}

/** `['name']` or `["name"]`. */
function parseQuotedBracket(path: string, open: number, quote: "'" | '"'): ParsedBracket {
  const quoteEnd = path.indexOf(quote, open + 2);
  if (quoteEnd === -1) return `the quote ${at(open + 1)} is never closed`;
  const name = path.slice(open + 2, quoteEnd);
  if (name === '') return `an empty name ${at(open + 1)}`;
  for (const [offset, char] of [...name].entries()) {
    if (!NOT_IN_QUOTED.has(char)) continue;
    const where = at(open + 2 + offset);
    if (char === ',') return `"," ${where}: a quoted name cannot hold a comma, and a union is written without quotes: [a,b]`;
    return `"${char}" ${where} cannot be part of a quoted name`;
  }
  if (path[quoteEnd + 1] === ',') return `"," ${at(quoteEnd + 1)}: a union is written without quotes, e.g. [a,b] or [0,2]`;
  if (path[quoteEnd + 1] !== ']')
    return path[quoteEnd + 1] === undefined ? `"[" ${at(open)} is never closed` : `expected "]" ${at(quoteEnd + 1)}`;
  return { segment: { text: name, at: open }, end: quoteEnd + 2 };
}

/** What is wrong with a slice, `[start:end:step]`, in the brackets at `open` (its parts as SLICE splits them). */
function sliceProblem(slice: RegExpExecArray, open: number): string | undefined {
  const [, start = '', end = '', step] = slice;
  if (!/^-?\d*$/.test(start) || !/^-?\d*$/.test(end)) return `a slice ${at(open)} takes whole numbers: [start:end:step]`;
  if (step === undefined) return undefined;
  if (step.includes(':')) return `a slice ${at(open)} has at most three parts: [start:end:step]`;
  if (step.startsWith('-')) return `a slice ${at(open)} steps forward only: the step must be 1 or more`;
  if (!/^\d*$/.test(step)) return `a slice ${at(open)} takes whole numbers: [start:end:step]`;
  if (step !== '' && Number(step) === 0) return `a slice step of 0 ${at(open)}: the step must be 1 or more`;
  return undefined;
}

/** What is wrong with an index (`[0]`), a name (`[a]`) or a union of them (`[0,2]`, `[a,b]`) in the brackets at `open`. */
function membersProblem(inside: string, open: number): string | undefined {
  const members = inside.split(',');
  for (const member of members) {
    const where = at(open + 1 + inside.indexOf(member));
    if (member === '') return `an empty part in the union ${at(open)}: write [a,b]`;
    if (/^-\d+$/.test(member)) {
      return `a negative index ${where} selects nothing here: write [${member}:] for the item ${member === '-1' ? 'last' : `${member.slice(1)} from the end`}`;
    }
    if (INTEGER.test(member)) continue;
    if (member === '*' && members.length > 1) return `"*" ${where} cannot be part of a union`;
    const name = readName(member, 0);
    if (name !== member)
      return `unexpected "${member[name.length] as string}" ${at(open + 1 + inside.indexOf(member) + name.length)} inside [ ]`;
  }
  return undefined;
}

const CLOSES: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/**
 * The index of the `)` that closes the `(` at `open`, skipping quoted strings and nested brackets; or what is
 * unbalanced.
 */
function matchingParen(path: string, open: number): number | string {
  const stack: number[] = [open];
  for (let index = open + 1; index < path.length; index++) {
    const char = path[index] as string;
    if (char === "'" || char === '"') {
      let end = index + 1;
      while (end < path.length && path[end] !== char) end += path[end] === '\\' ? 2 : 1;
      if (end >= path.length) return `the quote ${at(index)} is never closed`;
      index = end;
    } else if (char === '(' || char === '[' || char === '{') {
      stack.push(index);
    } else if (char in CLOSES) {
      const opened = stack.pop() as number;
      if (path[opened] !== CLOSES[char]) return `"${char}" ${at(index)} does not close the "${path[opened] as string}" ${at(opened)}`;
      if (stack.length === 0) return index;
    }
  }
  const innermost = stack.at(-1) as number;
  return `"${path[innermost] as string}" ${at(innermost)} is never closed`;
}

/** What jsonpath-plus's safe evaluator knows: the `@` words, rewritten as it rewrites them. */
const AT_WORDS = /@(parentProperty|parent|property|root|path)|@(?=[.\s)[])/g;
const KNOWN_NAMES = new Set(['_$_v', '_$_parentProperty', '_$_parent', '_$_property', '_$_root', '_$_path']);

interface SafeScriptClass {
  new (code: string): { readonly ast: AstNode };
}
interface AstNode {
  readonly type: string;
  readonly [key: string]: unknown;
}
/** The class jsonpath-plus runs `eval: 'safe'` expressions with: its constructor only parses (with jsep). */
const SafeScript = (JSONPath as unknown as { readonly prototype: { readonly safeVm: { readonly Script: SafeScriptClass } } }).prototype
  .safeVm.Script;

/**
 * Why a filter or script expression (`body`, starting at `start` in the path) would fail in jsonpath-plus's
 * safe evaluator whatever the document: it does not parse, is empty, is two expressions side by side, or names
 * something other than the `@` words (which is an error on every item).
 */
function expressionProblem(body: string, start: number, what: 'filter' | 'script', open: number): string | undefined {
  const where = `the ${what} at character ${open + 1}`;
  if (body.trim() === '') return `${where} is empty`;
  // Where each character of the rewritten expression was in the path: rewriting @x as _$_x inserts 2 or 3.
  const shifts: { readonly from: number; readonly by: number }[] = [];
  let inserted = 0;
  const script = body.replace(AT_WORDS, (match: string, word: string | undefined, offset: number) => {
    const replacement = word === undefined ? '_$_v' : `_$_${word}`;
    inserted += replacement.length - match.length;
    shifts.push({ from: offset + match.length + inserted, by: inserted });
    return replacement;
  });
  let ast: AstNode;
  try {
    ast = new SafeScript(script).ast;
  } catch (error) {
    const { description, index } = error as { description?: unknown; index?: unknown };
    if (typeof description !== 'string' || typeof index !== 'number') return `${where} does not parse: ${(error as Error).message}`;
    const shift = shifts.filter((s) => s.from <= index).at(-1)?.by ?? 0;
    return `${where} does not parse: ${description} at character ${start + index - shift + 1}`;
  }
  const unknown = unknownName(ast);
  if (unknown !== undefined) {
    return `${where} names "${unknown}", which is not defined: use @ for the item (@.field), and quotes for text ('${unknown}')`;
  }
  if (ast.type === 'Compound') return `${where} holds two expressions side by side: is an operator missing?`;
  return undefined;
}

/** The first identifier the safe evaluator would not know (property names after a dot are not identifiers). */
function unknownName(node: AstNode): string | undefined {
  switch (node.type) {
    case 'Identifier':
      return KNOWN_NAMES.has(node['name'] as string) ? undefined : (node['name'] as string);
    case 'MemberExpression':
      return unknownName(node['object'] as AstNode) ?? (node['computed'] === true ? unknownName(node['property'] as AstNode) : undefined);
    case 'AssignmentExpression':
      // `x = 1` defines x for the rest: too rare in a check to follow; judge only the right-hand side.
      return unknownName(node['right'] as AstNode);
    default:
      for (const value of Object.values(node)) {
        const children = Array.isArray(value) ? value : [value];
        for (const child of children) {
          if (typeof child === 'object' && child !== null && typeof (child as AstNode).type === 'string') {
            const name = unknownName(child as AstNode);
            if (name !== undefined) return name;
          }
        }
      }
      return undefined;
  }
}
