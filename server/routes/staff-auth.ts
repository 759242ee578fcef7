/** Staff sign-in, sign-out, "who am I", invitations' and password resets' links. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, InvitationInfo, LinkCheck, Me, PasswordResetInfo, PasswordResetRequest, SecondFactorNeeded, SetPasswordWithLink, StaffLogin } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { getClinic } from '../domain/clinics.js';
import { completePasswordReset, passwordResetInfo, requestPasswordReset } from '../domain/password-reset.js';
import { signOut } from '../domain/sessions.js';
import { checkPasswordSignIn, startStaffSession } from '../domain/staff-sign-in.js';
import { acceptInvitation, invitationInfo } from '../domain/staff-invitations.js';
import { getStaffListRow, toStaffMember } from '../domain/staff.js';
import { secondFactorMethods, staffAccess, startPendingLogin } from '../domain/two-factor.js';
import { clearStaffCookie, requireStaff, setPendingCookie, setStaffCookie, staffOf, staffToken } from '../http/auth.js';

/** The "who am I" answer for a staff member (with whether their session is limited to two-factor enrolment). */
export async function meOf(deps: Deps, clinicId: string, staffId: string): Promise<Me> {
  const [staff, clinic, access] = await Promise.all([getStaffListRow(deps.db, clinicId, staffId), getClinic(deps.db, clinicId), staffAccess(deps.db, clinicId, staffId)]);
  return {
    staff: toStaffMember(staff),
    clinic: { id: clinic.id, slug: clinic.slug, name: clinic.name },
    devMailbox: deps.mailer.devMailbox && staff.role === 'admin',
    ...(access?.enrolmentOnly ? { enrolmentRequired: true } : {}),
  };
}

export const staffAuthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const me = (clinicId: string, staffId: string) => meOf(deps, clinicId, staffId);
  // Links carry 256-bit tokens, so this only keeps one address from hammering the endpoints.
  const linkRate = { rateLimit: { max: 30, timeWindow: '15 minutes' } };

  app.post(
    '/api/staff/login',
    // Throttled in the domain, per account and per address, across instances (429 rate_limited with Retry-After).
    {
      schema: {
        tags: ['staff'],
        summary: 'Sign in; sets the session cookie, or (202) a pending sign-in cookie when the account has a second factor',
        body: StaffLogin,
        response: { 200: Me, 202: SecondFactorNeeded, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const staff = await checkPasswordSignIn(deps, request.body.email, request.body.password, request.ip, request.id);
      const methods = await secondFactorMethods(deps.db, staff.id);
      if (methods.length > 0) {
        // No session yet: the second factor completes this sign-in (routes/two-factor.ts).
        setPendingCookie(deps, reply, await startPendingLogin(deps, staff, request.id));
        return reply.status(202).send({ secondFactor: methods });
      }
      const { token } = await startStaffSession(deps, staff, request.id);
      setStaffCookie(deps, reply, token);
      return me(staff.clinic_id, staff.id);
    },
  );

  app.post('/api/staff/logout', { schema: { tags: ['staff'], summary: 'Sign out; ends the session', response: { 204: { type: 'null' } } } }, async (request, reply) => {
    const token = staffToken(deps, request);
    if (token) await signOut(deps, token, request.id);
    clearStaffCookie(deps, reply);
    return reply.status(204).send(null);
  });

  app.get('/api/staff/me', { onRequest: requireStaff(deps, undefined, { enrolment: true }), schema: { tags: ['staff'], summary: 'The signed-in staff member and clinic', response: { 200: Me, 401: ErrorBody } } }, async (request) => {
    const s = staffOf(request);
    return me(s.clinicId, s.staffId);
  });

  const linkErrors = { 400: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody };

  app.post(
    '/api/staff/invitation/check',
    { config: linkRate, schema: { tags: ['staff'], summary: 'Who an invitation link is for (before they set a password)', body: LinkCheck, response: { 200: InvitationInfo, ...linkErrors } } },
    async (request) => invitationInfo(deps.db, request.body.token),
  );

  app.post(
    '/api/staff/invitation/accept',
    { config: linkRate, schema: { tags: ['staff'], summary: 'Set the first password through an invitation link, once; signs in (sets the session cookie)', body: SetPasswordWithLink, response: { 200: Me, ...linkErrors } } },
    async (request, reply) => {
      const staff = await acceptInvitation(deps, request.body.token, request.body.password, request.id);
      const { token } = await startStaffSession(deps, staff, request.id, 'invitation');
      setStaffCookie(deps, reply, token);
      return me(staff.clinic_id, staff.id);
    },
  );

  app.post(
    '/api/staff/password-reset',
    { schema: { tags: ['staff'], summary: 'E-mail a password-reset link (same answer whether or not the address is known)', body: PasswordResetRequest, response: { 202: Type.Object({}), 400: ErrorBody, 429: ErrorBody } } },
    async (request, reply) => {
      await requestPasswordReset(deps, request.body.email, request.body.lang ?? 'en', request.ip, request.id);
      return reply.status(202).send({});
    },
  );

  app.post(
    '/api/staff/password-reset/check',
    { config: linkRate, schema: { tags: ['staff'], summary: 'Which account a password-reset link is for', body: LinkCheck, response: { 200: PasswordResetInfo, ...linkErrors } } },
    async (request) => passwordResetInfo(deps.db, request.body.token),
  );

  app.post(
    '/api/staff/password-reset/complete',
    { config: linkRate, schema: { tags: ['staff'], summary: 'Set a new password through a reset link, once; ends every session of the account', body: SetPasswordWithLink, response: { 204: Type.Null(), ...linkErrors } } },
    async (request, reply) => {
      await completePasswordReset(deps, request.body.token, request.body.password, request.id);
      return reply.status(204).send(null);
    },
  );
};
