/**
 * Options every command understands, declared on the program itself (`loadseed --no-color run …`).
 * Its own module so that the command files, which main.ts imports lazily, never import main.ts back.
 */
export interface GlobalOptions {
  /** False with --no-color, which wins over NO_COLOR and FORCE_COLOR (colors.ts). */
  readonly color: boolean;
}
