import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', '.venv*/**', '.cache/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./packages/*/tsconfig.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['packages/*/src/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          // Node.js 20 (V8 11.3) takes ten to twenty times as long to build `{ ...base, key: value }`, or
          // `{ ...base, ...more }`, as `Object.assign` does, and builds it in the old generation, which only a
          // mark-compact empties; keys before the spread cost nothing more. The span attributes of each call,
          // built so, brought a mark-compact every three seconds under load and several times the bare app's
          // p99 latency (bench/README.md). Node.js 22 and later build them all as fast.
          selector: 'ObjectExpression > SpreadElement ~ *',
          message:
            'An object literal with keys or spreads after a spread is slow on Node.js 20: write Object.assign({}, base, { key }) instead.',
        },
      ],
    },
  },
  {
    // The CLI and the scripts print; library code never does.
    files: ['packages/server/src/cli.ts', 'scripts/**', 'bench/**', 'examples/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests read JSON answers whose shape is the thing under test.
    files: ['**/test/**', 'test/**'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A skipped check says why in one line; mocha has no skip reason of its own.
      'no-console': 'off',
    },
  },
  { files: ['eslint.config.js', 'packages/server/bin/*.js'], extends: [tseslint.configs.disableTypeChecked] },
  { files: ['packages/server/bin/*.js'], rules: { 'no-console': 'off' } },
);
