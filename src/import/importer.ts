/**
 * `loadseed import <format> FILE`: what teams already have (a HAR recorded in the browser, an OpenAPI document,
 * curl command lines, an Artillery script) turned into a scenario. Each format is one pure function from the
 * file's text to a scenario as plain data plus notes; cli/import-command.ts writes it (YAML with the `$schema`
 * line and the notes as comments) after checking that it validates.
 */
export type ImportFormat = 'har' | 'openapi' | 'curl' | 'artillery';

export interface ImportOptions {
  /** The input's path, for located errors (`file:line:col  message`) and for resolving relative references. */
  readonly file: string;
  /** HAR: keep static assets (images, scripts, styles, fonts), dropped by default. */
  readonly includeStatic?: boolean;
  /** Overrides the target (base URL) the input implies. */
  readonly target?: string;
}

export interface ImportResult {
  /** The scenario, as plain data in the order its keys should be written (name, target, …, load, sla). */
  readonly scenario: Record<string, unknown>;
  /**
   * What the reader must know, each one line: what could not be mapped (and where it was), secrets replaced by
   * `${ENV}` placeholders (by name, never by value), guesses made. Written as comments at the top of the file.
   */
  readonly notes: readonly string[];
  /** Environment variables the scenario reads (the placeholders of secrets): listed in the notes and the console. */
  readonly env: readonly string[];
}

/**
 * Turns one input into a scenario. A malformed input is a `ScenarioError` (errors.ts) located in the input
 * (file, line, column where known; exit 2). Never does network I/O.
 */
export type Importer = (text: string, options: ImportOptions) => ImportResult | Promise<ImportResult>;
