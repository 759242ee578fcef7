/** The audit log, for administrators to browse and filter. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditEntry, AuditQuery, ErrorBody } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { listAudit } from '../domain/audit.js';
import { requireStaff, staffOf } from '../http/auth.js';

export const auditRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/audit',
    { onRequest: requireStaff(deps, ['admin']), schema: { tags: ['audit'], summary: 'Audit entries, newest first', querystring: AuditQuery, response: { 200: Type.Array(AuditEntry), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody } } },
    async (request) => listAudit(deps.db, staffOf(request).clinicId, request.query),
  );
};
