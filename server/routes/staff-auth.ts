/** Staff sign-in, sign-out and "who am I". */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, Me, SecondFactorNeeded, StaffLogin } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { getClinic } from '../domain/clinics.js';
import { createSession, signOut } from '../domain/sessions.js';
import { authenticateStaff, getStaff, toStaffMember } from '../domain/staff.js';
import { secondFactorMethods, staffAccess, startPendingLogin } from '../domain/two-factor.js';
import { clearStaffCookie, requireStaff, setPendingCookie, setStaffCookie, staffOf, staffToken } from '../http/auth.js';

/** The "who am I" answer for a staff member (with whether their session is limited to two-factor enrolment). */
export async function meOf(deps: Deps, clinicId: string, staffId: string): Promise<Me> {
  const [staff, clinic, access] = await Promise.all([getStaff(deps.db, clinicId, staffId), getClinic(deps.db, clinicId), staffAccess(deps.db, clinicId, staffId)]);
  return { staff: toStaffMember(staff), clinic: { id: clinic.id, slug: clinic.slug, name: clinic.name }, devMailbox: deps.mailer.devMailbox && staff.role === 'admin', ...(access?.enrolmentOnly ? { enrolmentRequired: true } : {}) };
}

export const staffAuthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const me = (clinicId: string, staffId: string) => meOf(deps, clinicId, staffId);

  app.post(
    '/api/staff/login',
    {
      schema: {
        tags: ['staff'],
        summary: 'Sign in; sets the session cookie, or (202) a pending sign-in cookie when the account has a second factor',
        body: StaffLogin,
        response: { 200: Me, 202: SecondFactorNeeded, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
      // Per address and per e-mail, after the body is parsed, so one attacker cannot lock out a colleague's IP.
      config: { rateLimit: { max: 10, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (req) => `${req.ip}|${String((req.body as { email?: string })?.email ?? '').toLowerCase()}` } },
    },
    async (request, reply) => {
      const staff = await authenticateStaff(deps.db, request.body.email, request.body.password);
      const methods = await secondFactorMethods(deps.db, staff.id);
      if (methods.length > 0) {
        // No session yet: the second factor completes this sign-in (routes/two-factor.ts).
        setPendingCookie(deps, reply, await startPendingLogin(deps, staff, request.id));
        return reply.status(202).send({ secondFactor: methods });
      }
      const who = { kind: 'staff' as const, clinicId: staff.clinic_id, staffId: staff.id, role: staff.role };
      const { token } = await audited(deps, who, request.id, (tx) => createSession(tx, { kind: 'staff', clinicId: staff.clinic_id, subjectId: staff.id }), () => ({ action: 'staff.sign-in', target: 'session' }));
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
};
