import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { checkAliases } from '../../../src/scenario/check-aliases.js';

/** The problems as `line:col message`. */
function problemsOf(text: string, maxAliasCount = 1000): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return checkAliases(doc, maxAliasCount).map(({ offset, message }) => {
    const { line, col } = lines.linePos(offset ?? 0);
    return `${line}:${col} ${message}`;
  });
}

describe('checkAliases', () => {
  it('accepts aliases after their anchors, a redefined anchor, and a document without any', () => {
    expect(problemsOf('a: &x 1\nb: *x\nc: &x [1, 2]\nd: *x\n')).toEqual([]);
    expect(problemsOf('a: 1\n')).toEqual([]);
  });

  it('names each alias without an anchor before it, at its *', () => {
    expect(problemsOf('a: *early\nb: &early 1\nc: [*nope, *early]\n')).toEqual([
      '1:4 undefined alias *early (an anchor &early must come before it)',
      '3:5 undefined alias *nope (an anchor &nope must come before it)',
    ]);
  });

  it('names the alias at which the expansion passes the limit, once', () => {
    const text = ['a: &a [x, x, x]', 'b: &b [*a, *a, *a]', 'c: &c [*b, *b, *b]', 'd: [*c, *c, *c]', ''].join('\n');
    expect(problemsOf(text, 20)).toEqual([
      '4:5 refused: aliases expand too much (more than 20 expansions at *c); a scenario never needs this many',
    ]);
    expect(problemsOf(text, 1000)).toEqual([]);
  });

  it('refuses exactly what yaml refuses (generated documents, compared with toJS and its maxAliasCount)', () => {
    let state = 12345;
    const random = (below: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % below;
    };
    let refusedByYaml = 0;
    for (let round = 0; round < 400; round++) {
      const names: string[] = [];
      const lines: string[] = [];
      for (let line = 0; line < 2 + random(8); line++) {
        const items = Array.from({ length: 1 + random(6) }, () => {
          const alias = names.length > 0 ? `*${names[random(names.length)] as string}` : 'y';
          return random(3) > 0 ? alias : random(2) === 0 ? 'x' : `{k: ${alias}}`;
        });
        const name = `n${random(5)}`;
        lines.push(`k${line}: &${name} [${items.join(', ')}]`);
        names.push(name);
      }
      const doc = parseDocument(lines.join('\n'));
      const maxAliasCount = 5 + random(40);
      let refused = false;
      try {
        doc.toJS({ maxAliasCount });
      } catch (error) {
        refused = /Excessive alias count/.test((error as Error).message);
      }
      if (refused) refusedByYaml++;
      const found = checkAliases(doc, maxAliasCount).some((problem) => problem.message.startsWith('refused: aliases expand too much'));
      expect(found, `${lines.join('\n')}\n(maxAliasCount ${maxAliasCount})`).toBe(refused);
    }
    expect(refusedByYaml).toBeGreaterThan(10);
  });
});
