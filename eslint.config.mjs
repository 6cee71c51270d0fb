// ESLint 9 flat config. Import direction is checked by dependency-cruiser
// (.dependency-cruiser.cjs); this file checks code: promises, type imports,
// and two house rules (settings come only from src/config; no console in src).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Files that may read process.env: the settings module, tests, scripts and tool configs. */
const MAY_READ_ENV = ['src/config/**', 'test/**', '**/*.test.ts', 'scripts/**', 'bench/**', '*.config.{js,cjs,mjs}', '.*.cjs'];

export default defineConfig(
  {
    ignores: ['dist/', 'data/', 'coverage/', 'node_modules/', 'test/architecture/fixtures/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tool configs are CommonJS or ESM scripts run by Node.
    files: ['*.{js,cjs,mjs}'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The web chat page and the caseworker console: classic browser scripts, no build step.
    files: ['src/channels/webchat/page/**/*.js', 'src/handoff/inbox/page/**/*.js', 'src/handoff/inbox/insight-page/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['window', 'document', 'navigator', 'location', 'fetch', 'URL', 'URLSearchParams', 'AbortController',
          'localStorage', 'sessionStorage', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
          'requestAnimationFrame', 'console'].map((name) => [name, 'readonly']),
      ),
    },
    // Written for old phone browsers, where `catch` needs its binding.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { caughtErrors: 'none' }] },
  },
  {
    // Settings are read and validated once, in src/config/env.ts; everything else receives a Config.
    ignores: MAY_READ_ENV,
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through src/config/env.ts (loadConfig).' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['process', 'node:process'].map((name) => ({
            name,
            importNames: ['env'],
            message: 'Read settings through src/config/env.ts (loadConfig).',
          })),
        },
      ],
    },
  },
  {
    // The bot logs with pino; only the terminal chat and command-line tools print.
    files: ['src/**', 'flows/**'],
    ignores: ['src/chat.ts', 'src/directory/check.ts', '**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
);
