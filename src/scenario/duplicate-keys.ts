import { isMap, isScalar, visit } from 'yaml';
import type { Document } from 'yaml';

/**
 * Where a mapping repeats a key: the offset of each repeat, in document order. This is the yaml package's
 * `uniqueKeys: true` check (scalar keys equal when their values are ===), done with one Map per mapping:
 * yaml compares each key with every key before it, which took 20 s for a mapping of 30,000 keys.
 */
export function duplicateKeyOffsets(doc: Document): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Map<unknown, true>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (seen.has(key.value) && !Number.isNaN(key.value)) offsets.push(key.range?.[0] ?? 0);
        else seen.set(key.value, true);
      }
    },
  });
  return offsets;
}
