/** Staff management, for the clinic's administrators: invitations, roles, disabling. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams, InvitationResend, NewStaff, StaffMember, StaffPatch } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { listStaff, toStaffMember, updateStaff, getStaffListRow } from '../domain/staff.js';
import { inviteStaff, resendInvitation, revokeInvitation } from '../domain/staff-invitations.js';
import { staffWithFactor } from '../domain/two-factor.js';
import { requireStaff, staffOf } from '../http/auth.js';

export const staffRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const adminOnly = requireStaff(deps, ['admin']);
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

  app.get('/api/staff', { onRequest: adminOnly, schema: { tags: ['staff'], summary: "The clinic's staff", response: { 200: Type.Array(StaffMember), ...errors } } }, async (request) => {
    const clinicId = staffOf(request).clinicId;
    const [rows, withFactor] = await Promise.all([listStaff(deps.db, clinicId), staffWithFactor(deps.db, clinicId)]);
    return rows.map((r) => ({ ...toStaffMember(r), twoFactor: withFactor.has(r.id) }));
  });

  app.post(
    '/api/staff',
    { onRequest: adminOnly, schema: { tags: ['staff'], summary: 'Invite a staff member: they get an e-mailed link to set their password (72 hours)', body: NewStaff, response: { 201: StaffMember, ...errors } } },
    async (request, reply) => reply.status(201).send(toStaffMember(await inviteStaff(deps, staffOf(request), request.body, request.id))),
  );

  app.post(
    '/api/staff/:id/invitation',
    { onRequest: adminOnly, schema: { tags: ['staff'], summary: 'Send the invitation again: a new link, the old one stops working', params: IdParams, body: InvitationResend, response: { 200: StaffMember, ...errors } } },
    async (request) => toStaffMember(await resendInvitation(deps, staffOf(request), request.params.id, request.body.lang ?? 'en', request.id)),
  );

  app.delete(
    '/api/staff/:id/invitation',
    { onRequest: adminOnly, schema: { tags: ['staff'], summary: 'Withdraw a pending invitation (the invited account is removed)', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await revokeInvitation(deps, staffOf(request), request.params.id, request.id);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/api/staff/:id',
    { onRequest: adminOnly, schema: { tags: ['staff'], summary: 'Rename, change role, disable or set the password (ends their sessions)', params: IdParams, body: StaffPatch, response: { 200: StaffMember, ...errors } } },
    async (request) => {
      const who = staffOf(request);
      await updateStaff(deps, who, who.clinicId, request.params.id, request.body, request.id);
      return toStaffMember(await getStaffListRow(deps.db, who.clinicId, request.params.id));
    },
  );
};
