/** Patient enrolment and records, for the clinic's staff. Every read and change is audited. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams, Patient, PatientDetails, PatientPatch, PatientQuery } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { recordAudit } from '../domain/audit.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import { enrolPatient, getPatient, searchPatients, updatePatient } from '../domain/patients.js';
import { AppError } from '../domain/errors.js';
import { requireStaff, staffOf } from '../http/auth.js';
import type { FastifyRequest } from 'fastify';

export const patientRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody };
  const cipherOf = async (request: FastifyRequest) => clinicCipher(deps.keyring, await getClinic(deps.db, staffOf(request).clinicId));
  const audit = (request: FastifyRequest, events: Parameters<typeof recordAudit>[3]) => recordAudit(deps.db, staffOf(request), request.id, events);

  app.addHook('preHandler', requireStaff(deps));

  app.get('/api/patients', { schema: { tags: ['patients'], summary: 'Search patients', querystring: PatientQuery, response: { 200: Type.Array(Patient), ...errors } } }, async (request) => {
    const found = await searchPatients(deps.db, await cipherOf(request), request.query.q);
    await audit(request, found.map((p) => ({ action: 'patient.list', patientId: p.id, target: 'patient-details' })));
    return found;
  });

  app.post('/api/patients', { schema: { tags: ['patients'], summary: 'Enrol a patient', body: PatientDetails, response: { 201: Patient, ...errors } } }, async (request, reply) => {
    const patient = await enrolPatient(deps.db, await cipherOf(request), request.body);
    await audit(request, { action: 'patient.enrol', patientId: patient.id, target: 'patient-details' });
    return reply.status(201).send(patient);
  });

  /** Audits an access to one patient; a miss (unknown, or another clinic's) is recorded as denied. */
  const audited = async <T>(request: FastifyRequest, action: string, id: string, target: string, work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      await audit(request, { action, patientId: id, target });
      return result;
    } catch (err) {
      if (err instanceof AppError && err.status === 404) await audit(request, { action, target: `patient:${id}`, outcome: 'denied' });
      throw err;
    }
  };

  app.get('/api/patients/:id', { schema: { tags: ['patients'], summary: 'One patient', params: IdParams, response: { 200: Patient, ...errors } } }, async (request) => {
    const { id } = request.params;
    return audited(request, 'patient.read', id, 'patient-details', async () => getPatient(deps.db, await cipherOf(request), id));
  });

  app.patch('/api/patients/:id', { schema: { tags: ['patients'], summary: "Change a patient's details", params: IdParams, body: PatientPatch, response: { 200: Patient, ...errors } } }, async (request) => {
    const { id } = request.params;
    const fields = Object.keys(request.body).sort().join(',');
    return audited(request, 'patient.update', id, `patient-details:${fields}`, async () => updatePatient(deps.db, await cipherOf(request), id, request.body));
  });
};
