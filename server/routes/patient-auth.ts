/** Patient sign-in and consent, called from inside the widget frame. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CodeChallenge, CodeRequest, CodeVerify, ConsentAccept, ErrorBody, PatientSelf, PatientSession, ResumedSession, SessionResume } from '../../shared/api.js';
import { normalizeLang, type Lang } from '../../shared/lang.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { recordAudit } from '../domain/audit.js';
import { clinicCipher, getClinic, getClinicBySlug } from '../domain/clinics.js';
import { getPatient, hasCurrentConsent, recordConsent } from '../domain/patients.js';
import { requestCode, verifyCode } from '../domain/patient-sign-in.js';
import type { PatientPrincipal } from '../domain/principal.js';
import { createSession, resolveSession, signOut } from '../domain/sessions.js';
import { bearerToken, clearPatientCookie, patientCookieToken, patientOf, requirePatient, setPatientCookie } from '../http/auth.js';

export const patientAuthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const self = async (who: PatientPrincipal, lang: Lang) => {
    const clinic = await getClinic(deps.db, who.clinicId);
    const patient = await getPatient(deps.db, clinicCipher(deps.keyring, clinic), who.patientId);
    return { name: patient.name, consentRequired: !(await hasCurrentConsent(deps.db, clinic.id, patient.id)), consentText: lang === 'fr' ? clinic.consent_text_fr : clinic.consent_text_en };
  };
  const langOf = (q: unknown) => normalizeLang((q as { lang?: string } | undefined)?.lang);

  app.post(
    '/api/patient/auth/code',
    {
      schema: { tags: ['widget'], summary: 'E-mail a sign-in code (same answer whether or not the address is enrolled)', body: CodeRequest, response: { 202: CodeChallenge, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody } },
      // Per network address here (generous: a clinic's Wi-Fi is one address); per account in the domain.
      config: { rateLimit: { max: 30, timeWindow: '15 minutes' } },
    },
    async (request, reply) => {
      const clinic = await getClinicBySlug(deps.db, request.body.clinic);
      return reply.status(202).send(await requestCode(deps, clinic, request.body.email, request.body.lang ?? 'en'));
    },
  );

  app.post(
    '/api/patient/auth/verify',
    {
      schema: { tags: ['widget'], summary: 'Check the code and date of birth; returns a bearer token', body: CodeVerify, response: { 200: PatientSession, 400: ErrorBody, 401: ErrorBody, 410: ErrorBody, 429: ErrorBody } },
      config: { rateLimit: { max: 100, timeWindow: '15 minutes' } },
    },
    async (request, reply) => {
      const { clinic, patientId } = await verifyCode(deps, request.body.challengeId, request.body.code, request.body.dateOfBirth);
      const who: PatientPrincipal = { kind: 'patient', clinicId: clinic.id, patientId };
      const session = await audited(deps, who, request.id, (tx) => createSession(tx, { kind: 'patient', clinicId: clinic.id, subjectId: patientId }), () => ({ action: 'patient.sign-in', target: 'session' }));
      // For frames whose browser refuses them storage (README: "Browsers that block third-party storage"); a shared computer keeps nothing.
      if (request.body.sharedDevice !== true) setPatientCookie(deps, reply, session.token);
      return { token: session.token, expiresAt: session.expiresAt, patient: await self(who, langOf(request.query)) };
    },
  );

  app.post(
    '/api/patient/auth/resume',
    {
      schema: {
        tags: ['widget'],
        summary: "The session kept in the frame's partitioned cookie, for frames the browser refuses any storage (204: none)",
        body: SessionResume,
        response: { 200: ResumedSession, 204: { type: 'null' }, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const clinic = await getClinicBySlug(deps.db, request.body.clinic);
      const token = patientCookieToken(deps, request);
      const session = token ? await resolveSession(deps.db, token, 'patient') : null;
      if (token && !session) clearPatientCookie(deps, reply);
      // Another clinic's session (two clinics embedded on one site) stays where it is, unused here.
      if (!token || !session || session.clinicId !== clinic.id) return reply.status(204).send(null);
      return { token };
    },
  );

  app.get('/api/patient/me', { onRequest: requirePatient(deps), schema: { tags: ['widget'], summary: 'The signed-in patient', response: { 200: PatientSelf, 401: ErrorBody } } }, async (request) => {
    const who = patientOf(request);
    await recordAudit(deps, who, request.id, { action: 'patient.read-self', target: 'patient-details' });
    return self(who, langOf(request.query));
  });

  app.post(
    '/api/patient/consent',
    { onRequest: requirePatient(deps), schema: { tags: ['widget'], summary: 'Record consent to electronic communication', body: ConsentAccept, response: { 200: PatientSelf, 400: ErrorBody, 401: ErrorBody } } },
    async (request) => {
      const who = patientOf(request);
      const lang = langOf(request.query);
      const clinic = await getClinic(deps.db, who.clinicId);
      await audited(deps, who, request.id, (tx) => recordConsent(tx, who.clinicId, who.patientId, lang === 'fr' ? clinic.consent_text_fr : clinic.consent_text_en), () => ({ action: 'patient.consent', target: `consent:${lang}` }));
      return self(who, lang);
    },
  );

  app.post('/api/patient/logout', { schema: { tags: ['widget'], summary: 'End the patient session', response: { 204: { type: 'null' } } } }, async (request, reply) => {
    const token = bearerToken(request);
    if (token) await signOut(deps, token, request.id);
    // The cookie goes with its session (another clinic's, on the same site, stays).
    if (token && patientCookieToken(deps, request) === token) clearPatientCookie(deps, reply);
    return reply.status(204).send(null);
  });
};
