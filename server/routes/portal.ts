/**
 * The installable patient portal, /p/<clinic>: a standalone page on our origin with the same three
 * elements a clinic embeds, a web app manifest and icons. For patients who want an app on their
 * phone, and the page the clinic's e-mails can link to when it has no site of its own.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../shared/api.js';
import { translate } from '../../shared/i18n-all.js';
import { normalizeLang } from '../../shared/lang.js';
import type { Deps } from '../deps.js';
import { getClinicBySlug } from '../domain/clinics.js';

const TEMPLATE = path.resolve(import.meta.dirname, '../../public/portal.html');

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const portalRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const template = await fs.readFile(TEMPLATE, 'utf8');
  const Slug = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }) });

  app.get('/p/:slug', { schema: { hide: true, params: Slug, querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }) } }, async (request, reply) => {
    const clinic = await getClinicBySlug(deps.db, request.params.slug);
    const lang = normalizeLang(request.query.lang ?? request.headers['accept-language']);
    const other = lang === 'fr' ? 'en' : 'fr';
    const vars: Record<string, string> = {
      LANG: lang,
      OTHER_LANG: other,
      OTHER_LANG_NAME: translate(lang, 'portal.otherLang'),
      SLUG: clinic.slug,
      CLINIC: escapeHtml(clinic.name),
      TITLE: escapeHtml(translate(lang, 'portal.title', { clinic: clinic.name })),
      DESCRIPTION: escapeHtml(translate(lang, 'portal.description', { clinic: clinic.name })),
      MESSAGES: translate(lang, 'frame.view.messages'),
      QUESTIONNAIRE: translate(lang, 'frame.view.questionnaire'),
      BOOKING: translate(lang, 'frame.view.booking'),
    };
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(template.replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => vars[k] ?? ''));
  });

  const Icon = Type.Object({ src: Type.String(), sizes: Type.String(), type: Type.String() });
  const Manifest = Type.Object({
    name: Type.String(),
    short_name: Type.String(),
    start_url: Type.String(),
    scope: Type.String(),
    display: Type.Literal('standalone'),
    background_color: Type.String(),
    theme_color: Type.String(),
    icons: Type.Array(Icon),
  });
  const manifestResponse = { description: 'The web app manifest', content: { 'application/manifest+json': { schema: Manifest } } };

  app.get('/p/:slug/manifest.webmanifest', { schema: { tags: ['widget'], summary: 'Web app manifest of the patient portal', params: Slug, response: { 200: manifestResponse, 400: ErrorBody, 404: ErrorBody } } }, async (request, reply) => {
    const clinic = await getClinicBySlug(deps.db, request.params.slug);
    return reply.type('application/manifest+json').send({
      name: translate('en', 'portal.title', { clinic: clinic.name }),
      short_name: clinic.name.slice(0, 30),
      start_url: `/p/${clinic.slug}`,
      scope: `/p/${clinic.slug}`,
      display: 'standalone',
      background_color: '#f4f6f8',
      theme_color: clinic.brand_color,
      icons: [
        { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    });
  });
};
