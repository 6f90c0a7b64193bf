import { isAlias, visit } from 'yaml';
import type { Alias, Document, Node } from 'yaml';

/**
 * What each alias of a document refers to: the last node anchored with its name before it, ancestors included,
 * as yaml's Alias#resolve finds it. One walk for the whole document (Alias#resolve walks it on every call).
 * `undefined` lists, in document order, the aliases whose anchor does not come before them.
 */
export function aliasSources(doc: Document): { readonly sources: Map<Alias, Node>; readonly undefined: readonly Alias[] } {
  const sources = new Map<Alias, Node>();
  const missing: Alias[] = [];
  const latest = new Map<string, Node>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const source = latest.get(node.source);
        if (source === undefined) missing.push(node);
        else sources.set(node, source);
      } else if (node.anchor !== undefined) {
        latest.set(node.anchor, node);
      }
    },
  });
  return { sources, undefined: missing };
}
