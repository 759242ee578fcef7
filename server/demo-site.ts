/**
 * A pretend clinic website on a second origin, embedding the widgets with the one script tag a real
 * clinic would paste, so the embed is cross-origin exactly as in production.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';

const DEMO_DIR = path.resolve(import.meta.dirname, '../public/demo');

/** The demo site's origin for a given public URL: another host name where possible, so it is cross-site too. */
export function demoOrigin(publicUrl: URL, port: number): string {
  const host = publicUrl.hostname === 'localhost' ? '127.0.0.1' : publicUrl.hostname;
  return `${publicUrl.protocol}//${host}:${port}`;
}

/** Builds the demo site; `/` in English, `/fr/` in French. */
export async function buildDemoSite(publicUrl: URL): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const template = await fs.readFile(path.join(DEMO_DIR, 'index.html'), 'utf8');
  const render = (lang: 'en' | 'fr') => template.replaceAll('{{PUBLIC_URL}}', publicUrl.origin).replaceAll('{{LANG}}', lang);
  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', `default-src 'self'; script-src 'self' ${publicUrl.origin}; frame-src ${publicUrl.origin}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'`);
    reply.header('x-content-type-options', 'nosniff');
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(render('en')));
  app.get('/fr/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(render('fr')));
  app.get('/demo.css', async (_req, reply) => reply.type('text/css').send(await fs.readFile(path.join(DEMO_DIR, 'demo.css'), 'utf8')));
  return app;
}
