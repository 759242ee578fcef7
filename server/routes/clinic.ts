/** The clinic's settings (admins) and its public face (anyone, for the widget frames). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Clinic, ClinicSettings, ErrorBody, PublicClinic } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { allowedOrigins, getClinic, getClinicBySlug, toClinic, toPublicClinic, updateClinicSettings } from '../domain/clinics.js';
import { assertMayRequireTwoFactor } from '../domain/two-factor.js';
import { requireStaff, staffOf } from '../http/auth.js';

export const clinicRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/clinic', { onRequest: requireStaff(deps), schema: { tags: ['clinic'], summary: 'Settings of the signed-in clinic', response: { 200: Clinic, 401: ErrorBody } } }, async (request) => {
    return toClinic(await getClinic(deps.db, staffOf(request).clinicId));
  });

  app.put(
    '/api/clinic',
    { onRequest: requireStaff(deps, ['admin']), schema: { tags: ['clinic'], summary: 'Replace the clinic settings', body: ClinicSettings, response: { 200: Clinic, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody } } },
    async (request) => {
      const who = staffOf(request);
      const current = await getClinic(deps.db, who.clinicId);
      if (request.body.requireTwoFactor && Number(current.require_two_factor) !== 1) await assertMayRequireTwoFactor(deps.db, who.staffId);
      return toClinic(await audited(deps, who, request.id, (tx) => updateClinicSettings(tx, who.clinicId, request.body), () => ({ action: 'clinic.update', target: `clinic:${Object.keys(request.body).sort().join(',')}` })));
    },
  );

  app.get(
    '/api/public/clinics/:slug',
    { schema: { tags: ['widget'], summary: "A clinic's public configuration", params: Type.Object({ slug: Type.String({ maxLength: 64 }) }), response: { 200: PublicClinic, 400: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-cache');
      return toPublicClinic(await getClinicBySlug(deps.db, request.params.slug));
    },
  );

  // Asked by the embed loader on the clinic's page (another origin), so it can say what is wrong
  // instead of the browser's "refused to connect" box. Public: the frame's CSP says as much.
  app.get(
    '/api/public/clinics/:slug/embed',
    {
      schema: {
        tags: ['widget'],
        summary: 'Whether a website may show the clinic’s widgets',
        params: Type.Object({ slug: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ origin: Type.String({ maxLength: 300 }) }),
        response: { 200: Type.Object({ allowed: Type.Boolean() }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.header('access-control-allow-origin', '*').header('cache-control', 'no-cache');
      const clinic = await getClinicBySlug(deps.db, request.params.slug);
      return { allowed: allowedOrigins(clinic).includes(request.query.origin) || request.query.origin === deps.config.publicUrl.origin };
    },
  );
};
