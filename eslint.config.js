import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'wasm/', 'docs/api/', 'node_modules/', 'examples/browser/dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', globalThis: 'readonly', performance: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', TextDecoder: 'readonly',
        TextEncoder: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', self: 'readonly',
        window: 'readonly', document: 'readonly', indexedDB: 'readonly', localStorage: 'readonly',
        Response: 'readonly', Blob: 'readonly', fetch: 'readonly', AbortController: 'readonly',
        AbortSignal: 'readonly', Worker: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Function']", message: 'no new Function' }],
      'no-eval': 'error',
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tensorflow/tfjs-backend-*', '@tensorflow/tfjs-node*'], message: 'src/ never imports a backend: the app picks it' }] }],
    },
  },
  {
    files: ['src/metrics/**', 'src/sampling/**', 'src/data/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tensorflow/*'], message: 'metrics, sampling and data stay free of TensorFlow.js' }] }],
    },
  },

);
