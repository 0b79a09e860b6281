// Lint: the recommended TypeScript rules, promises that are never left floating, and replay safety for
// orchestrators (they are re-executed from history, so anything that reads the clock, randomness, the environment or
// does I/O would make a replay take another path). Formatting is Prettier's job (`npm run format:check`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ioFolders = ['clients', 'cosmos', 'lake', 'load', 'export', 'validation', 'sync', 'durable'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.local/**', 'test/fixtures/hostapp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read loosely typed JSON answers and assert on them; `any` there is the point of the check.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The library imports nothing above it: triggers, orchestrators, activities and tooling depend on src/, never the reverse.
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/functions/**',
                '**/activities/**',
                '**/orchestrators/**',
                '**/tools/**',
                '**/test/**',
                '**/bench/**',
              ],
              message: 'src/ is the library: it must not import the app layer, tooling or tests.',
            },
          ],
        },
      ],
    },
  },
  {
    // Replay safety, as Temporal's workflow lint does: orchestrators decide, activities act.
    files: ['orchestrators/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@azure/*', '!@azure/functions', '@aws-sdk/*', 'node:*'],
              allowTypeImports: true,
              message:
                'Orchestrators are replayed: no SDK or Node.js I/O here (type imports are fine). Do it in an activity.',
            },
            {
              group: ioFolders.map((folder) => `**/src/${folder}/**`),
              allowTypeImports: true,
              message: 'Orchestrators are replayed: I/O modules of src/ belong in activities (type imports are fine).',
            },
            {
              group: ['**/activities/**', '**/functions/**', '**/tools/**'],
              message: 'Orchestrators call activities by name (Names), never import them.',
            },
          ],
          paths: ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'util'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'Orchestrators are replayed: no Node.js I/O or host facts here.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Orchestrators are replayed: read settings in an activity and pass them in.' },
        { name: 'setTimeout', message: 'Use context.df.createTimer: a timer must be part of the history.' },
        { name: 'setInterval', message: 'Use context.df.createTimer: a timer must be part of the history.' },
        { name: 'setImmediate', message: 'Orchestrators are replayed: no scheduling outside the history.' },
        { name: 'fetch', message: 'Orchestrators are replayed: do I/O in an activity.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime: the clock must replay.' },
        {
          object: 'Math',
          property: 'random',
          message: 'Orchestrators are replayed: randomness must come from an activity or context.df.newGuid.',
        },
        { object: 'crypto', property: 'randomUUID', message: 'Use context.df.newGuid: ids must replay.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use context.df.currentUtcDateTime: `new Date()` reads the clock, which a replay does not repeat.',
        },
        {
          selector: "CallExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use context.df.currentUtcDateTime: `Date()` reads the clock, which a replay does not repeat.',
        },
      ],
    },
  },
  prettier,
);
