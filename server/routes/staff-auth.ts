/** Staff sign-in, sign-out and "who am I". */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, Me, StaffLogin } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { getClinic } from '../domain/clinics.js';
import { createSession, signOut } from '../domain/sessions.js';
import { authenticateStaff, getStaff, toStaffMember } from '../domain/staff.js';
import { clearStaffCookie, requireStaff, setStaffCookie, staffOf, staffToken } from '../http/auth.js';

export const staffAuthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const me = async (clinicId: string, staffId: string) => {
    const [staff, clinic] = await Promise.all([getStaff(deps.db, clinicId, staffId), getClinic(deps.db, clinicId)]);
    return { staff: toStaffMember(staff), clinic: { id: clinic.id, slug: clinic.slug, name: clinic.name }, devMailbox: deps.mailer.devMailbox && staff.role === 'admin' };
  };

  app.post(
    '/api/staff/login',
    {
      schema: { tags: ['staff'], summary: 'Sign in; sets the session cookie', body: StaffLogin, response: { 200: Me, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody } },
      // Per address and per e-mail, after the body is parsed, so one attacker cannot lock out a colleague's IP.
      config: { rateLimit: { max: 10, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (req) => `${req.ip}|${String((req.body as { email?: string })?.email ?? '').toLowerCase()}` } },
    },
    async (request, reply) => {
      const staff = await authenticateStaff(deps.db, request.body.email, request.body.password);
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

  app.get('/api/staff/me', { onRequest: requireStaff(deps), schema: { tags: ['staff'], summary: 'The signed-in staff member and clinic', response: { 200: Me, 401: ErrorBody } } }, async (request) => {
    const s = staffOf(request);
    return me(s.clinicId, s.staffId);
  });
};
