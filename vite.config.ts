/**
 * Two builds into dist/:
 * - default: the widget frame page and the admin SPA (multi-page, hashed assets in dist/assets),
 *   then the service worker dist/sw.js that precaches them (Workbox);
 * - `--mode loader`: the embed loader as one small classic script, dist/widget.js, for clinic sites.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import { generateSW } from 'workbox-build';
import { CACHE_LAZY_ASSETS, CACHE_PAGES, CACHE_PUBLIC_CONFIG } from './shared/offline/cache-names.js';

/**
 * The service worker. The admin shell and every hashed asset are precached, so a new deployment is
 * a new worker that waits until the person accepts the reload (never old and new code mixed).
 * Frame pages carry a per-clinic CSP, so each is cached by its own URL, network first; so are the
 * clinic's public rules. Nothing an API returns about a person is cached.
 */
function serviceWorker(): Plugin {
  return {
    name: 'sm-service-worker',
    apply: 'build',
    async closeBundle() {
      const dist = resolve(import.meta.dirname, 'dist');
      const { count, size, warnings } = await generateSW({
        swDest: resolve(dist, 'sw.js'),
        globDirectory: dist,
        globPatterns: ['assets/**/*.{js,css}', 'favicon.svg', 'icons/*.{svg,png}', 'portal.css'],
        // The FHIRPath engine and its R4 model (~225 KB gzip) serve only questionnaires with expressions:
        // fetched and kept (below) the first time one needs them, not pushed to every patient and staff member.
        globIgnores: ['assets/fhirpath-*.js', 'assets/r4-*.js'],
        templatedURLs: { '/admin/': ['admin/index.html'] },
        // Hashed names change with their content: no revision query needed.
        dontCacheBustURLsMatching: /^assets\//,
        navigateFallback: '/admin/',
        navigateFallbackAllowlist: [/^\/admin\//],
        runtimeCaching: [
          {
            urlPattern: ({ request, url }) => request.mode === 'navigate' && /^\/(frame|p)\//.test(url.pathname),
            handler: 'NetworkFirst',
            options: { cacheName: CACHE_PAGES, networkTimeoutSeconds: 6, expiration: { maxEntries: 60 } },
          },
          {
            // The clinic's rules and consent: the first load after a change must show the new ones
            // (a stale "New message" in reply-only mode loses the patient's text), so network first;
            // the stored copy is for when the network is down or too slow.
            urlPattern: ({ url }) => url.pathname.startsWith('/api/public/clinics/'),
            handler: 'NetworkFirst',
            options: { cacheName: CACHE_PUBLIC_CONFIG, networkTimeoutSeconds: 4, expiration: { maxEntries: 60 } },
          },
          {
            // Hashed, so never stale: once fetched they work offline.
            urlPattern: ({ url }) => /^\/assets\/(fhirpath|r4)-[\w-]+\.js$/.test(url.pathname),
            handler: 'CacheFirst',
            options: { cacheName: CACHE_LAZY_ASSETS, expiration: { maxEntries: 10 } },
          },
          {
            urlPattern: ({ url }) => url.pathname === '/widget.js' || url.pathname.endsWith('/manifest.webmanifest'),
            handler: 'StaleWhileRevalidate',
            options: { cacheName: CACHE_PUBLIC_CONFIG, expiration: { maxEntries: 60 } },
          },
        ],
        importScripts: ['/sw-sync.js'],
        skipWaiting: false,
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        inlineWorkboxRuntime: true,
        sourcemap: false,
        mode: 'production',
      });
      for (const w of warnings) this.warn(w);
      this.info(`service worker: ${count} files precached, ${(size / 1024).toFixed(1)} KB`);
    },
  };
}

/**
 * Brotli and gzip copies of every text file worth compressing, written once at build time, so the
 * server (@fastify/static `preCompressed`) sends them with Content-Encoding and Vary and never
 * compresses on the fly. HTML is left alone: the server writes it with per-request headers.
 */
function precompress(): Plugin {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  return {
    name: 'sm-precompress',
    apply: 'build',
    closeBundle: {
      // After the service worker is written (it is text too).
      order: 'post',
      handler() {
        const dist = resolve(import.meta.dirname, 'dist');
        let files = 0;
        for (const file of walk(dist).filter((f) => /\.(js|css|svg|json|webmanifest)$/.test(f) && !f.includes(`${join('dist', 'demo')}`))) {
          const data = readFileSync(file);
          if (data.length < 1024) continue;
          writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
          writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
          files++;
        }
        this.info(`precompressed ${files} files (brotli and gzip)`);
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'loader') {
    return {
      publicDir: false,
      plugins: [precompress()],
      // A classic script has no import.meta; frame-host.ts finds its origin from its script tag.
      define: { 'import.meta.url': 'undefined' },
      build: {
        emptyOutDir: false,
        // Native private fields and dialogs: every browser with <dialog>.showModal() (Safari 15.4+) has both.
        target: 'es2022',
        lib: { entry: resolve(import.meta.dirname, 'widget/loader.ts'), formats: ['iife'], name: 'SecureMessagingLoader', fileName: () => 'widget.js' },
      },
    };
  }
  return {
    publicDir: 'public',
    plugins: [serviceWorker(), precompress()],
    build: {
      target: 'es2022',
      // No inline module-preload polyfill: the CSP allows no inline script.
      modulePreload: { polyfill: false },
      rollupOptions: {
        input: {
          frame: resolve(import.meta.dirname, 'widget/frame.html'),
          // The admin's questionnaire builder previews through the patient's own view, on this page.
          preview: resolve(import.meta.dirname, 'widget/questionnaire-preview.html'),
          admin: resolve(import.meta.dirname, 'admin/index.html'),
        },
        output: {
          codeSplitting: {
            // The wording every screen loads (errors, dates and numbers, and the catalog they read) in
            // one chunk: split by which pages import each part, it became several and the frame paid
            // for each one's overhead.
            groups: [{ name: 'error-text', test: /shared[\\/](intl|error-text)\.ts$/ }],
          },
        },
      },
    },
  };
});
