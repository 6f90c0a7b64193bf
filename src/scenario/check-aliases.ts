import { isAlias, isCollection, isPair, visit } from 'yaml';
import type { Alias, Document, Node } from 'yaml';
import { aliasSources } from './alias-sources.js';

/** A YAML alias that cannot be expanded, with the offset of its `*` in the text. */
export interface AliasProblem {
  readonly offset: number | undefined;
  readonly message: string;
}

interface AnchorUse {
  count: number;
  aliasCount: number;
}

/**
 * The aliases `doc.toJS({ maxAliasCount })` would refuse, found in two linear passes so that each is located: every
 * alias whose anchor is not defined before it or, when there is none, the first alias at which the expansion
 * passes the limit.
 * The expansion is counted as the yaml package counts it (Alias#resolve: uses of an anchor times the largest
 * expansion inside it, in document order, which is the order toJS converts in), so the alias named is the one
 * at which toJS would stop.
 */
export function checkAliases(doc: Document, maxAliasCount: number): AliasProblem[] {
  const problems: AliasProblem[] = [];
  // First pass: what each alias refers to.
  const { sources: sourceOf, undefined: undefinedAliases } = aliasSources(doc);
  for (const alias of undefinedAliases) problems.push({ offset: alias.range?.[0], message: undefinedAliasMessage(alias) });
  if (problems.length > 0) return problems;

  // Second pass: the expansion, counted as toJS counts it while it converts, in document order.
  const uses = new Map<Node, AnchorUse>();
  const aliasCountOf = (node: unknown): number => {
    if (isAlias(node)) {
      const source = sourceOf.get(node);
      const use = source === undefined ? undefined : uses.get(source);
      return use === undefined ? 0 : use.count * use.aliasCount;
    }
    if (isCollection(node)) {
      let count = 0;
      for (const item of node.items) count = Math.max(count, aliasCountOf(item));
      return count;
    }
    if (isPair(node)) return Math.max(aliasCountOf(node.key), aliasCountOf(node.value));
    return 1;
  };
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const source = sourceOf.get(node);
        const use = source === undefined ? undefined : uses.get(source);
        if (source === undefined || use === undefined) return undefined;
        use.count += 1;
        if (use.aliasCount === 0) use.aliasCount = aliasCountOf(source);
        if (use.count * use.aliasCount <= maxAliasCount) return undefined;
        problems.push({
          offset: node.range?.[0],
          message: `refused: aliases expand too much (more than ${maxAliasCount} expansions at *${node.source}); a scenario never needs this many`,
        });
        return visit.BREAK;
      }
      if (node.anchor !== undefined) uses.set(node, { count: 1, aliasCount: 0 });
      return undefined;
    },
  });
  return problems;
}

function undefinedAliasMessage(alias: Alias): string {
  return `undefined alias *${alias.source} (an anchor &${alias.source} must come before it)`;
}
