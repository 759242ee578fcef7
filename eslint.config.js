// Lint: typescript-eslint's recommended, type-aware rules where they catch real bugs (floating promises).
import tseslint from 'typescript-eslint';

/** A `no-restricted-imports` rule for some files (type-only imports allowed); `more` adds groups with their own message. */
const restrict = (files, group, message, ...more) => [
  { files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group, message, allowTypeImports: true }, ...more.map((m) => ({ ...m, allowTypeImports: true }))] }] } },
];

/** The staff side of the catalog: the frame bundles shared/ code, so neither may take it (shared/i18n.ts is the patient side). */
const STAFF_TEXT = { group: ['**/shared/i18n-all.js', '**/shared/i18n-admin.js', './i18n-all.js', './i18n-admin.js', '../i18n-all.js', '../i18n-admin.js'], message: 'The frame bundles only patient-side text: import translate from shared/i18n.js (staff screens and the server use shared/i18n-all.js).' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'web-test-runner.config.mjs', 'custom-elements-manifest.config.mjs', 'public/sw-sync.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  // The architecture, enforced: what each folder may not import (type-only imports are fine).
  ...restrict(['widget/loader.ts', 'widget/frame-host.ts', 'widget/protocol.ts', 'widget/events.ts', 'widget/sm-*.ts'], ['lit', 'lit/*', '@lit/*', 'dexie', '**/frame/*'], 'The loader runs on clinic sites: no framework, no storage, nothing of the frame.'),
  ...restrict(['shared/**'], ['**/widget/**', '**/admin/**', '**/server/**'], 'shared/ is used by every side and depends on none of them.', STAFF_TEXT),
  // The one shared module that assembles the staff side.
  ...restrict(['shared/i18n-all.ts'], ['**/widget/**', '**/admin/**', '**/server/**'], 'shared/ is used by every side and depends on none of them.'),
  ...restrict(['widget/**', 'admin/**'], ['**/server/**', 'kysely', 'fastify', 'better-sqlite3', 'pg'], 'Browser code reaches the server only through the API.'),
  ...restrict(['widget/frame/**'], ['**/server/**', 'kysely', 'fastify', 'better-sqlite3', 'pg', 'typebox', '**/shared/api.js', '**/shared/messaging.js', '**/shared/booking.js', '**/shared/questionnaires.js'], 'Browser code reaches the server only through the API; the frame takes only types from the schema modules (their values bring TypeBox into its first load).', STAFF_TEXT),
  ...restrict(['server/routes/**'], ['kysely'], 'Routes call domain functions; queries live in server/domain.'),
  ...restrict(['server/domain/**'], ['fastify', '@fastify/*', '**/routes/**', '**/http/**'], 'Domain functions know nothing of HTTP.'),
  // node:test's describe/it return promises the runner itself awaits.
  { files: ['test/**'], rules: { '@typescript-eslint/no-floating-promises': 'off' } },
  { files: ['server/main.ts', 'server/cli.ts', 'bench/**', 'scripts/**'], rules: { 'no-console': 'off' } },
);
