/** Staff management, for the clinic's administrators. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams, NewStaff, StaffMember, StaffPatch } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { createStaff, listStaff, toStaffMember, updateStaff } from '../domain/staff.js';
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

  app.post('/api/staff', { onRequest: adminOnly, schema: { tags: ['staff'], summary: 'Add a staff member', body: NewStaff, response: { 201: StaffMember, ...errors } } }, async (request, reply) => {
    const who = staffOf(request);
    const row = await audited(deps, who, request.id, (tx) => createStaff(tx, who.clinicId, request.body), (r) => ({ action: 'staff.add', target: `staff:${r.id}:${r.role}` }));
    return reply.status(201).send(toStaffMember(row));
  });

  app.patch(
    '/api/staff/:id',
    { onRequest: adminOnly, schema: { tags: ['staff'], summary: 'Rename, change role, disable or reset the password', params: IdParams, body: StaffPatch, response: { 200: StaffMember, ...errors } } },
    async (request) => toStaffMember(await updateStaff(deps, staffOf(request), staffOf(request).clinicId, request.params.id, request.body, request.id)),
  );
};
