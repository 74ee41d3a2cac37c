import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'test-artifacts/', 'bin/'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // An async function that implements a Promise-returning contract need not await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  // A folder is a component: another component imports only its faces, index.ts (pure: no
  // database, network or HTTP framework behind it) or live/index.ts (what runs against
  // them). One block per folder depth, as an import names its path relative to the file.
  ...[1, 2, 3].map((depth) => ({
    files: [`${'*/'.repeat(depth)}*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./){${depth}}[^./][^/]*/(?!index\\.ts$|live/index\\.ts$)`,
              message:
                "Import another component through its face: index.ts, or live/index.ts for what runs against storage or the network (CONTRIBUTING.md, 'How the code is shaped').",
            },
          ],
        },
      ],
    },
  })),
  // Tests may also use the shared test support and a component's fixtures.
  ...[1, 2, 3].map((depth) => ({
    files: [`${'*/'.repeat(depth)}*.test.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./){${depth}}(?!test/support/)[^./][^/]*/(?!index\\.ts$|live/index\\.ts$|.*-fixtures\\.ts$)`,
              message:
                "Import another component through its face: index.ts or live/index.ts (CONTRIBUTING.md, 'How the code is shaped').",
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The web UI's browser modules: plain JS, type-checked through dashboards/tsconfig.json
    // (checkJs, DOM types), so they get the type-aware rules too.
    files: ['dashboards/ui/**/*.js'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: Object.assign(
      {},
      ...tseslint.configs.recommendedTypeChecked.map((config) => config.rules ?? {}),
      {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-unused-vars': [
          'error',
          { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
        ],
        // A JSDoc cast, /** @type {T} */ (value), is how JS narrows an API answer; ESTree
        // drops its parentheses, so these rules see the uncast `any` and cannot be used.
        // tsc (checkJs, strict) checks the casts instead.
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unsafe-member-access': 'off',
        '@typescript-eslint/no-unsafe-argument': 'off',
      },
    ),
  },
);
