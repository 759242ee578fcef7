/**
 * Starts the whole product: API server with the built front end, and the demo clinic site on its
 * second origin. Used by `npm start` (main.ts) and by the end-to-end tests.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createDeps } from './bootstrap.js';
import type { Config } from './config.js';
import { buildDemoSite, demoOrigin } from './demo-site.js';
import { prepareDemo, type DemoLogin } from './demo-seed.js';
import type { Deps } from './deps.js';

/** A running product. */
export interface RunningProduct {
  app: FastifyInstance;
  deps: Deps;
  publicUrl: string;
  demoUrl: string | null;
  demoLogins: DemoLogin[] | null;
  notes: string[];
  close(): Promise<void>;
}

/** Starts everything the configuration asks for and returns once it listens. */
export async function startProduct(config: Config, opts: { webRoot?: string; logLevel?: string | false } = {}): Promise<RunningProduct> {
  const { deps, notes } = await createDeps(config, opts.webRoot);
  const app = await buildApp(deps, { logLevel: opts.logLevel });
  await app.listen({ port: config.port, host: config.host });

  let demo: FastifyInstance | null = null;
  let demoUrl: string | null = null;
  let demoLogins: DemoLogin[] | null = null;
  if (config.demoPort !== 0) {
    demoUrl = demoOrigin(config.publicUrl, config.demoPort);
    demoLogins = await prepareDemo(deps, demoUrl);
    if (demoLogins) {
      demo = await buildDemoSite(config.publicUrl);
      await demo.listen({ port: config.demoPort, host: config.host === 'localhost' ? '127.0.0.1' : config.host });
    } else {
      demoUrl = null;
    }
  }
  return {
    app,
    deps,
    publicUrl: config.publicUrl.origin,
    demoUrl,
    demoLogins,
    notes,
    async close() {
      await demo?.close();
      await app.close();
      deps.mailer.close();
      await deps.db.destroy();
    },
  };
}
