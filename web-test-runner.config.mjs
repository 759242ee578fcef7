// Component tests in Debian's Chromium; msw's service worker is served from node_modules at the root.
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { createRequire } from 'node:module';

const mswWorker = (context, next) => {
  if (context.path === '/mockServiceWorker.js') context.path = '/node_modules/msw/lib/mockServiceWorker.js';
  return next();
};

// The questionnaire builder's preview frame is served at /frame/questionnaire-preview by the server; here, the page from the source tree.
const previewPage = (context, next) => {
  if (context.path === '/frame/questionnaire-preview') return context.redirect(`/widget/questionnaire-preview.html${context.search}`);
  return next();
};

// Dexie's package entry wraps its UMD build for bundlers; the dev server takes its real ES module.
const dexieEsm = { name: 'dexie-esm', resolveImport: ({ source }) => (source === 'dexie' ? '/node_modules/dexie/dist/dexie.mjs' : undefined) };

// fhirpath's R4 model is CommonJS (Vite converts it in the build); the dev server gets it as an ES module.
const fhirpathR4 = {
  name: 'fhirpath-r4-esm',
  serve(context) {
    if (!context.path.endsWith('/fhirpath/fhir-context/r4/index.js')) return undefined;
    const { availableTypes, ...model } = createRequire(import.meta.url)('fhirpath/fhir-context/r4');
    return { body: `const model = ${JSON.stringify(model)};\nmodel.availableTypes = new Set(${JSON.stringify([...availableTypes])});\nexport default model;`, type: 'js' };
  },
};

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  middleware: [mswWorker, previewPage],
  plugins: [dexieEsm, fhirpathR4, esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
      },
    }),
  ],
};
