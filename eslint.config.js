// Lint: typescript-eslint recommendedTypeChecked (each file type-checked by the program of its nearest tsconfig.json:
// Node, renderer or tests), the rules of hooks, the layering rules of docs/ARCHITECTURE.md §2 with the built-in
// no-restricted-imports (common ← main/core ← main/{electron,server,cli}; common ← preload; common ← renderer), and
// feature boundaries (eslint/boundaries.js): module folders entered only through their index.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import local from './eslint/boundaries.js';

const node = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'zlib', 'url', 'http', 'net', 'worker_threads'];
const zone = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'bench/results/**', 'bench/tmp/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // Off on purpose: service and contract methods are `async` without an await so that a synchronous throw
      // (validation, AppError) becomes a rejection the adapters map, never an exception past them.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]", message: 'no .only in tests' }],
    },
  },
  // vitest's asymmetric matchers (expect.stringContaining, expect.any …) are typed `any`; everything else stays on.
  { files: ['tests/**/*.ts'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  { files: ['**/*.js', '**/*.mjs', '**/*.d.mts'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { ...globals.node } } },
  zone(['common/**'], ['../main/*', '../renderer/*', '../preload/*', '**/main/**', '**/renderer/**', '**/preload/**', 'electron', 'react', '@kitware/*', ...node],
    'common/ is pure TypeScript shared by every process: it imports nothing outside common/ (zod allowed).'),
  zone(['main/core/**'], ['electron', '**/renderer/**', '**/preload/**', '**/main/electron/**', '**/main/server/**', '**/main/cli/**', 'react', '@kitware/*'],
    'main/core is plain Node: no electron, no renderer, no adapters (ARCHITECTURE.md §2).'),
  zone(['main/server/**', 'main/cli/**'], ['electron', '**/renderer/**', '**/preload/**', '**/main/electron/**'],
    'main/server and main/cli are thin Node adapters over main/core.'),
  zone(['main/electron/**'], ['**/renderer/**', '**/preload/**', '**/main/server/**', '**/main/cli/**'],
    'main/electron is the thin Electron shell over main/core.'),
  zone(['preload/**'], ['**/main/**', '**/renderer/**', ...node.filter((n) => n !== 'electron')],
    'preload only bridges the contract (common/) with contextBridge.'),
  // Build configs under renderer/ run in Node: exempt at the end.
  zone(['renderer/**'], ['**/main/**', '**/preload/**', 'electron', 'better-sqlite3', ...node],
    'renderer talks to main only through renderer/platform/api.ts; no Node or Electron imports.'),
  { files: ['**/vite.config.ts'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // Production code only: tests may reach into a module to test its parts.
  {
    files: ['common/**/*.ts', 'main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { local },
    rules: {
      'local/boundaries': ['error', {
        modules: ['renderer/viewer', 'renderer/labelmap', 'main/core/store', 'main/core/export', 'main/core/dataset', 'main/core/mha'],
        pure: ['renderer/labelmap'],
        pureMayImport: ['common'],
        packages: { '@kitware': 'renderer/viewer' },
      }],
    },
  },
);
