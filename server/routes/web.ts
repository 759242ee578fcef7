/**
 * The built front end: the embed loader, the widget frame pages, the admin SPA and their assets.
 * Frame pages carry a CSP whose frame-ancestors is the clinic's list of allowed sites, so a page
 * that is not on the list cannot embed a patient's conversation.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { allowedOrigins, getClinicBySlug } from '../domain/clinics.js';
import { AppError } from '../domain/errors.js';
import { contentSecurityPolicy } from '../http/security.js';

export const FRAME_VIEWS = ['messages', 'questionnaire', 'booking'] as const;

export const webRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const pages = new Map<string, string>();
  const page = async (file: string): Promise<string> => {
    let html = pages.get(file);
    if (html === undefined) {
      html = await fs.readFile(path.join(deps.webRoot, file), 'utf8').catch(() => {
        throw new AppError(503, 'not_built', 'The front end is not built yet: run `npm run build`');
      });
      pages.set(file, html);
    }
    return html;
  };
  const sendHtml = (reply: FastifyReply, html: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);

  await app.register(fastifyStatic, {
    root: deps.webRoot,
    prefix: '/',
    index: false,
    wildcard: true,
    // The build wrote .br and .gz beside each text file (vite.config.ts): sent when the browser accepts them.
    preCompressed: true,
    // HTML is served by the routes below with its own headers; the demo site lives on its own origin.
    allowedPath: (p) => !p.endsWith('.html') && !p.startsWith('/demo/'),
    setHeaders: (reply, sent) => {
      // A precompressed copy (widget.js.br) gets the headers of the file it stands for.
      const file = sent.replace(/\.(br|gz)$/, '');
      if (file.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      // The service worker decides which version of the app runs: always ask for the newest.
      if (file.endsWith(`${path.sep}sw.js`) || file.endsWith('sw-sync.js')) reply.header('cache-control', 'no-cache');
      if (file.endsWith('widget.js')) {
        // Loaded by clinic sites: cross-origin use allowed, short cache so fixes reach every site quickly.
        reply.header('cross-origin-resource-policy', 'cross-origin');
        reply.header('cache-control', 'public, max-age=300');
      }
    },
  });

  // Nothing under /api/ is a file: an unknown API path is a plain 404, never the static handler's answer.
  app.all('/api/*', { schema: { hide: true } }, async (request) => {
    throw new AppError(404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`);
  });

  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/admin/'));

  app.get('/admin', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/admin/'));
  app.get('/admin/*', { schema: { hide: true } }, async (_req, reply) => sendHtml(reply, await page('admin/index.html')));

  // The admin's questionnaire builder shows its draft through the patient's view here: no clinic, no
  // patient data, and only our own pages may frame it.
  app.get('/frame/questionnaire-preview', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-security-policy', contentSecurityPolicy(["'self'"]));
    return sendHtml(reply, await page('widget/questionnaire-preview.html'));
  });

  app.get(
    '/frame/:view',
    {
      schema: {
        hide: true,
        params: Type.Object({ view: Type.Union(FRAME_VIEWS.map((v) => Type.Literal(v))) }),
        querystring: Type.Object({ clinic: Type.String({ minLength: 1, maxLength: 64 }), lang: Type.Optional(Type.String()), host: Type.Optional(Type.String()) }),
      },
    },
    async (request, reply) => {
      const clinic = await getClinicBySlug(deps.db, request.query.clinic);
      reply.header('content-security-policy', contentSecurityPolicy(["'self'", ...allowedOrigins(clinic)]));
      reply.removeHeader('x-frame-options');
      return sendHtml(reply, await page('widget/frame.html'));
    },
  );
};
