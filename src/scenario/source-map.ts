import { isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Alias, Document, LineCounter, Node, Pair, YAMLMap } from 'yaml';
import { aliasSources } from './alias-sources.js';

/** A path into the scenario data: object keys and array indexes. */
export type DataPath = readonly (string | number)[];

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Splits an ajv instancePath (a JSON pointer such as `/requests/0/url`) into segments. */
export function pointerToPath(pointer: string): DataPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The path as a reader writes it: `load.users`, `requests[1].headers.x-id`, `sla.requests["log in"]`. */
export function displayPath(path: DataPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^[0-9]+$/.test(segment)) out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Finds where a data path was written in the YAML source, for messages that point at the user's file. */
export class SourceMap {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  /** Each mapping's pairs by key text (the first of equal keys), built when first searched. */
  readonly #pairs = new WeakMap<YAMLMap, Map<string, Pair>>();
  /** What each alias refers to, from one walk of the document (Alias#resolve walks it all on every call). */
  #aliases: Map<Alias, Node> | undefined;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /**
   * The position of the value at `path`, or of its key with `at: 'key'`. When the path does not exist
   * (a missing key), the deepest existing ancestor is given instead.
   */
  locate(path: DataPath, at: 'value' | 'key' = 'value'): Position | undefined {
    let node: Node | null | undefined = this.#resolve(this.#doc.contents);
    let keyNode: Node | undefined;
    for (const segment of path) {
      let next: Node | null | undefined;
      if (isMap(node)) {
        const pair = this.#pairOf(node, String(segment));
        if (pair === undefined) break;
        keyNode = isNode(pair.key) ? pair.key : undefined;
        next = isNode(pair.value) ? pair.value : undefined;
        if (next === undefined) {
          node = keyNode;
          break;
        }
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (!isNode(item)) break;
        keyNode = undefined;
        next = item;
      } else {
        break;
      }
      node = this.#resolve(next);
    }
    const target = at === 'key' && keyNode !== undefined ? keyNode : node;
    const offset = target?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  #pairOf(map: YAMLMap, key: string): Pair | undefined {
    let pairs = this.#pairs.get(map);
    if (pairs === undefined) {
      pairs = new Map();
      for (const item of map.items) {
        if (!isScalar(item.key)) continue;
        const text = String(item.key.value);
        if (!pairs.has(text)) pairs.set(text, item);
      }
      this.#pairs.set(map, pairs);
    }
    return pairs.get(key);
  }

  #resolve(node: unknown): Node | undefined {
    if (isAlias(node)) {
      this.#aliases ??= aliasSources(this.#doc).sources;
      return this.#aliases.get(node);
    }
    return isNode(node) ? node : undefined;
  }
}
