/** The audit log, for administrators: browse and filter it, check its hash chain, export it as CSV. */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify';
import { AuditExportQuery, AuditPage, AuditQuery, AuditVerification, ErrorBody } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { runAction } from '../domain/action.js';
import { allAudit, AUDIT_CSV_COLUMNS, auditCsvRecord, listAudit, recordAudit } from '../domain/audit.js';
import { verifyAuditChain } from '../domain/audit-chain.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import { requireStaff, staffOf } from '../http/auth.js';

/** The documented 200 of the export. */
const CsvFile = { description: 'The matching entries as CSV (UTF-8, a header row, newest first), as a download', content: { 'text/csv': { schema: { type: 'string' } } } };

export const auditRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
  app.addHook('onRequest', requireStaff(deps, ['admin']));

  // Entries name patients, so reading them is itself audited.
  app.get('/api/audit', { schema: { tags: ['audit'], summary: 'Audit entries, newest first, with staff and patient names', querystring: AuditQuery, response: { 200: AuditPage, ...errors } } }, async (request) => {
    const who = staffOf(request);
    const cipher = clinicCipher(deps.keyring, await getClinic(deps.db, who.clinicId));
    return runAction(deps, who, request.id, async (a) => {
      a.audit({ action: 'audit.list', patientId: request.query.patientId ?? null, target: 'audit-log' });
      return listAudit(a.tx, cipher, request.query);
    });
  });

  app.get('/api/audit/verify', { schema: { tags: ['audit'], summary: "Check the clinic's audit log hash chain", response: { 200: AuditVerification, ...errors } } }, async (request) => {
    const who = staffOf(request);
    const report = await verifyAuditChain(deps.db, deps.keyring, who.clinicId);
    const broken = report.broken ? { seq: report.broken.seq, rowId: report.broken.rowId, reason: report.broken.reason } : null;
    await recordAudit(deps, who, request.id, { action: 'audit.verify', target: broken ? `audit-chain:broken:${broken.seq}:${broken.reason}` : `audit-chain:intact:${report.entries}` });
    return { intact: broken === null, entries: report.entries, broken };
  });

  app.get('/api/audit/export.csv', { schema: { tags: ['audit'], summary: 'The entries matching a filter, as a CSV download', querystring: AuditExportQuery, response: { 200: CsvFile, ...errors } } }, async (request, reply) => {
    const who = staffOf(request);
    const cipher = clinicCipher(deps.keyring, await getClinic(deps.db, who.clinicId));
    const q = request.query;
    const filter = (['patientId', 'actorId', 'action', 'from', 'to'] as const).filter((k) => q[k]).join(',');
    await recordAudit(deps, who, request.id, { action: 'audit.export', patientId: q.patientId ?? null, target: `audit-csv:${filter || 'all'}` });
    const records = Readable.from((async function* () {
      for await (const entry of allAudit(deps.db, cipher, q)) yield auditCsvRecord(entry);
    })());
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${day}.csv"`)
      .header('cache-control', 'no-store')
      .send(records.pipe(stringify({ header: true, columns: [...AUDIT_CSV_COLUMNS] })));
  });
};
