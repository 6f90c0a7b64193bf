// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * `npm run lint`: ESLint with typescript-eslint's type-checked rules, and limits chosen from the code as it
 * should be — a function longer than 60 lines or with a complexity over 20 is one to split (a hand-written
 * parser's state machine says why it is not, on the line). Formatting is Prettier's (`npm run format`).
 */
export default tseslint.config(
  { ignores: ['dist/', 'bench/.build/', 'coverage/', 'reports/', '.scratch/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      complexity: ['error', 20],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Plain JavaScript (bench scripts, the bin shim, configs): no types to check, Node's globals.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // A benchmark script is one straight procedure, read top to bottom.
    files: ['bench/*.mjs'],
    rules: { 'max-lines-per-function': 'off', complexity: 'off' },
  },
  {
    // A test file is a few describe() blocks: long callbacks by nature. Control characters in its patterns are
    // what it checks for.
    files: ['test/**/*.ts'],
    rules: { 'max-lines-per-function': 'off', 'no-control-regex': 'off' },
  },
);
