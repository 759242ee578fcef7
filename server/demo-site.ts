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

/** The pretend clinic's own words, in the page's language (a French page reads French to a screen reader). */
const DEMO_TEXT = {
  en: {
    title: 'Maple Grove Family Health — demo clinic website',
    nav: 'Site',
    h1: 'Contact your care team',
    note: 'This is a pretend clinic website on a different origin from the messaging service. The widgets below are embedded exactly as a real clinic embeds them: one script tag and one element each.',
    messages: 'Secure messages',
    questionnaire: 'Before your visit',
    booking: 'Appointments',
    footer: 'Maple Grove Family Health · 123 Main Street, Guelph, Ontario',
  },
  fr: {
    title: 'Santé familiale Maple Grove — site de démonstration',
    nav: 'Site',
    h1: 'Joindre votre équipe de soins',
    note: 'Ceci est un faux site de clinique, sur une autre origine que le service de messagerie. Les widgets ci-dessous y sont intégrés exactement comme le ferait une vraie clinique : une balise script et un élément chacun.',
    messages: 'Messagerie sécurisée',
    questionnaire: 'Avant votre visite',
    booking: 'Rendez-vous',
    footer: 'Santé familiale Maple Grove · 123, rue Main, Guelph (Ontario)',
  },
} as const;

/** Builds the demo site; `/` in English, `/fr/` in French. */
export async function buildDemoSite(publicUrl: URL): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const template = await fs.readFile(path.join(DEMO_DIR, 'index.html'), 'utf8');
  const render = (lang: 'en' | 'fr') =>
    template
      .replaceAll('{{PUBLIC_URL}}', publicUrl.origin)
      .replaceAll('{{LANG}}', lang)
      .replace(/\{\{t:(\w+)\}\}/g, (_m, key: keyof (typeof DEMO_TEXT)['en']) => DEMO_TEXT[lang][key]);
  // A careful clinic's CSP: the loader needs script-src, frame-src and connect-src (its "may this site show it?" check) for our origin.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', `default-src 'self'; script-src 'self' ${publicUrl.origin}; connect-src 'self' ${publicUrl.origin}; frame-src ${publicUrl.origin}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'`);
    reply.header('x-content-type-options', 'nosniff');
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(render('en')));
  app.get('/fr/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(render('fr')));
  app.get('/demo.css', async (_req, reply) => reply.type('text/css').send(await fs.readFile(path.join(DEMO_DIR, 'demo.css'), 'utf8')));
  return app;
}
