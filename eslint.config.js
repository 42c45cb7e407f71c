// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', '.astro/', 'node_modules/', 'bench-results/', '.probe/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: false }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // `part<HTMLInputElement>(root, selector)` reads better than a cast at every call.
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
  {
    // Notebook cells: browser code run in the kernel, where cells of a page
    // share one scope (a variable declared in one cell is used in the next)
    // and a cell's last expression is its output.
    files: ['src/cells/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        ...globals.browser,
        SERVER: 'readonly',
        ReconnectingWebSocket: 'readonly',
        sleep: 'readonly',
        display: 'readonly',
        // Exercise checks (src/lib/kernel/checks.ts).
        check: 'readonly',
        expectEqual: 'readonly',
        expectTrue: 'readonly',
        fail: 'readonly',
        waitFor: 'readonly',
        within: 'readonly',
        settle: 'readonly',
        sockets: 'readonly',
        lastSocket: 'readonly',
        logs: 'readonly',
        variable: 'readonly',
      },
    },
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
