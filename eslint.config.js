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
    // The demo server, the terminal client, the grader and the benchmarks share
    // exactly one part of src/: src/shared/ (protocol, errors, limits, DOM-free stores).
    files: ['demo-server/**', 'client/**', 'grader/**', 'bench/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '(^|/)src/(?!shared/)',
          message: 'The server, client, grader and benchmarks may import only src/shared/ from src/: move what both sides need there.',
        }],
      }],
    },
  },
  {
    // The shared core runs in the browser, in workers and in Node: it imports
    // nothing from the page's features, the server, the client or Node.
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^node:', message: 'src/shared/ runs in browsers too: no Node modules.' },
          { regex: '(^|/)(labs|notebook|site|content|cells|styles|components)(/|\\.ts$)', message: 'src/shared/ may not import the page\'s features (labs, notebook, site): move the shared part into src/shared/.' },
          { regex: '(^|/)(demo-server|client|grader|bench|tests)/', message: 'src/shared/ may not import the server, the client, the grader, the benchmarks or the tests.' },
        ],
      }],
    },
  },
  {
    // A lab's folder is the lab: labs share code through labs/kit/ or src/shared/, never through each other.
    files: ['src/labs/**'],
    ignores: ['src/labs/kit/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^\\.\\./(?!kit/|\\.\\./)[^/]+/',
          message: 'One lab may not import another: move the shared part to src/labs/kit/ or src/shared/.',
        }, {
          regex: '(^|/)(demo-server|client|bench)/',
          message: 'Page code talks to the server over WebSockets, never by importing it.',
        }],
      }],
    },
  },
  {
    // Code that ships to the browser. (The reference pages' .astro files do
    // read the server's flags, its route list with each endpoint's doc and
    // the client's modes, at build time only.)
    files: ['src/notebook/**', 'src/site/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '(^|/)(demo-server|client|bench)/',
          message: 'Page code talks to the server over WebSockets, never by importing it.',
        }],
      }],
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
        // Exercise checks (src/notebook/kernel/checks.ts).
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
  {
    // A starter server leaves its TODOs unwritten: what the student will use is not used yet.
    files: ['examples/*/starter.js'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // The blocking consumer shown in the backpressure lab: its empty loop is the busy-wait it teaches.
    files: ['src/cells/backpressure/blocking-consumer.lab.js'],
    rules: { 'no-empty': 'off' },
  },
  {
    // The attacker page's script (chapter 10) runs in the browser, served by the demo server.
    files: ['demo-server/attacker/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
);
