import { LineCounter, parseDocument } from 'yaml';
import { ScenarioError } from '../errors.js';
import type { ScenarioIssue } from '../errors.js';
import { SourceMap, displayPath } from '../scenario/source-map.js';
import type { DataPath } from '../scenario/source-map.js';

/** Aliases an input may expand while it is read: far above any real document, far below a YAML bomb. */
const MAX_ALIAS_COUNT = 1000;

/**
 * An importer's input (YAML, or JSON, which is YAML) read once with its source positions, so that every
 * problem found later in the data is reported at its line and column: `file:line:col  path  message`.
 */
export class InputDocument {
  readonly file: string;
  readonly data: unknown;
  readonly #map: SourceMap;

  private constructor(file: string, data: unknown, map: SourceMap) {
    this.file = file;
    this.data = data;
    this.#map = map;
  }

  /** Parses the text. A syntax error, or an empty input, is a ScenarioError at its position (exit 2). */
  static parse(text: string, file: string, what: string): InputDocument {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
    const syntax = doc.errors.map((error): ScenarioIssue => {
      const { line, col } = lines.linePos(error.pos[0]);
      return { file, line, column: col, path: '', message: `${what}: syntax error: ${firstLine(error.message)}` };
    });
    if (syntax.length > 0) throw new ScenarioError(file, syntax);
    if (doc.contents === null) throw new ScenarioError(file, [{ file, path: '', message: `${what}: the file is empty` }]);
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      throw new ScenarioError(file, [{ file, path: '', message: `${what}: ${firstLine((error as Error).message)}` }]);
    }
    return new InputDocument(file, data, new SourceMap(doc, lines));
  }

  /** One problem at a path of the data (its position when the path was written in the input). */
  issue(path: DataPath, message: string): ScenarioIssue {
    return { file: this.file, ...this.#map.locate(path), path: displayPath(path), message };
  }

  /** Throws the problem as a ScenarioError (exit 2). */
  fail(path: DataPath, message: string): never {
    throw new ScenarioError(this.file, [this.issue(path, message)]);
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
