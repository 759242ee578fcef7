/** Patient enrolment and records, for the clinic's staff. Every read and change is audited. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, IdParams, Patient, PatientDetails, PatientPage, PatientPatch, PatientQuery } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import { enrolPatient, getPatient, searchPatients, updatePatient } from '../domain/patients.js';
import { requireStaff, staffOf } from '../http/auth.js';
import type { FastifyRequest } from 'fastify';
import { audited, type Tx } from '../domain/action.js';
import type { ClinicCipher } from '../domain/crypto.js';

export const patientRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody };
  const cipherOf = async (request: FastifyRequest) => clinicCipher(deps.keyring, await getClinic(deps.db, staffOf(request).clinicId));

  app.addHook('onRequest', requireStaff(deps));

  app.get('/api/patients', { schema: { tags: ['patients'], summary: 'Search patients', querystring: PatientQuery, response: { 200: PatientPage, ...errors } } }, async (request) => {
    const cipher = await cipherOf(request);
    return audited(deps, staffOf(request), request.id, (tx) => searchPatients(tx, cipher, request.query), (found) => found.patients.map((p) => ({ action: 'patient.list', patientId: p.id, target: 'patient-details' })));
  });

  app.post('/api/patients', { schema: { tags: ['patients'], summary: 'Enrol a patient', body: PatientDetails, response: { 201: Patient, ...errors } } }, async (request, reply) => {
    const cipher = await cipherOf(request);
    const patient = await audited(deps, staffOf(request), request.id, (tx) => enrolPatient(tx, cipher, request.body), (p) => ({ action: 'patient.enrol', patientId: p.id, target: 'patient-details' }));
    return reply.status(201).send(patient);
  });

  /** One patient's read or change with its audit row (a miss is audited as denied by the error handler). */
  const onePatient = async (request: FastifyRequest, action: string, id: string, target: string, work: (tx: Tx, cipher: ClinicCipher) => Promise<Patient>): Promise<Patient> => {
    const cipher = await cipherOf(request);
    return audited(deps, staffOf(request), request.id, (tx) => work(tx, cipher), () => ({ action, patientId: id, target }));
  };

  app.get('/api/patients/:id', { schema: { tags: ['patients'], summary: 'One patient', params: IdParams, response: { 200: Patient, ...errors } } }, async (request) => {
    const { id } = request.params;
    return onePatient(request, 'patient.read', id, 'patient-details', (tx, cipher) => getPatient(tx, cipher, id));
  });

  app.patch('/api/patients/:id', { schema: { tags: ['patients'], summary: "Change a patient's details", params: IdParams, body: PatientPatch, response: { 200: Patient, ...errors } } }, async (request) => {
    const { id } = request.params;
    const fields = Object.keys(request.body).sort().join(',');
    return onePatient(request, 'patient.update', id, `patient-details:${fields}`, (tx, cipher) => updatePatient(tx, cipher, id, request.body));
  });
};
