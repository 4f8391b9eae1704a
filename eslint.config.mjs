// ESLint flat config: Next's rules (core web vitals) with typescript-eslint's recommended rules
// and React's hooks rules, all as eslint-config-next brings them. Formatting is Prettier's
// (.prettierrc.json), checked separately. Why ESLint + Prettier and not Biome:
// docs/development.md.
import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypeScript from 'eslint-config-next/typescript';

export default defineConfig([
  ...nextVitals,
  ...nextTypeScript,
  {
    rules: {
      // Destructuring a property away to keep the rest (`const { a: _a, ...rest } = o`) is the
      // way to omit a key; the rest sibling is what is used.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: {
      // CommonJS files (bench/allow-server-only.cjs, loaded with `node --require`) can only require.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  globalIgnores([
    '.next/**',
    'node_modules/**',
    'test-results/**',
    'playwright-report/**',
    'bench/out/**',
    '.cache/**',
    '.run/**',
    'next-env.d.ts',
  ]),
]);
