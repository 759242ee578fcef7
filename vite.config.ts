/**
 * Two builds into dist/:
 * - default: the widget frame page and the admin SPA (multi-page, hashed assets in dist/assets);
 * - `--mode loader`: the embed loader as one small classic script, dist/widget.js, for clinic sites.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig(({ mode }) => {
  if (mode === 'loader') {
    return {
      publicDir: false,
      // A classic script has no import.meta; frame-host.ts finds its origin from its script tag.
      define: { 'import.meta.url': 'undefined' },
      build: {
        emptyOutDir: false,
        target: 'es2019',
        lib: { entry: resolve(import.meta.dirname, 'widget/loader.ts'), formats: ['iife'], name: 'SecureMessagingLoader', fileName: () => 'widget.js' },
      },
    };
  }
  return {
    publicDir: 'public',
    build: {
      target: 'es2022',
      // No inline module-preload polyfill: the CSP allows no inline script.
      modulePreload: { polyfill: false },
      rollupOptions: {
        input: { frame: resolve(import.meta.dirname, 'widget/frame.html'), admin: resolve(import.meta.dirname, 'admin/index.html') },
      },
    },
  };
});
