/**
 * The API document tells the truth. For every operation in /api/openapi.json this test generates
 * valid and invalid requests from the document itself (fast-check over its JSON Schemas), sends them
 * as a staff member, a patient and an anonymous caller, and checks each answer against the document:
 * the status must be documented for the operation, the content type documented for that status, and
 * the body must match its schema (Ajv). Requests the document calls valid must pass validation (no
 * 400 `invalid_request`); requests it calls invalid must be refused with a 4xx. The document itself
 * must pass @apidevtools/swagger-parser and `redocly lint` (redocly.yaml) with no errors.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it, type TestContext } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import { invalidVariants, validArb, type Schema } from '../support/schema-arbitrary.js';
import { createStaff } from '../../server/domain/staff.js';
import { joinWaitlist, offerFreedSlot } from '../../server/domain/booking/waitlist.js';
import { DIALECTS, ORIGIN, PASSWORD, build, call, patientToken, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Requests per operation and caller: valid ones (real ids first, then generated) and invalid ones. */
const VALID_PER_CALLER = 3;
const INVALID_PER_CALLER = 4;
/** A 1×1 PNG, so uploads have a real file to store. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

type Doc = OpenAPIV3.Document;
type Op = OpenAPIV3.OperationObject;
type Caller = 'staff' | 'patient' | 'anonymous';

const ajv = new Ajv({ strict: false, allErrors: false });
addFormats(ajv);
ajv.addFormat('binary', true);
const compiled = new Map<string, ValidateFunction>();
function validator(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) compiled.set(key, (v = ajv.compile(schema)));
  return v;
}

/** Follows a local `$ref` (components.responses). */
function deref<T>(doc: Doc, value: T | OpenAPIV3.ReferenceObject): T {
  if (value && typeof value === 'object' && '$ref' in value) {
    return value.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc) as T;
  }
  return value as T;
}

/** A small stable number from a string: each operation gets its own reproducible fast-check seed. */
function seedOf(text: string): number {
  let h = 7;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

/** Multipart body with one file field, as a browser's FormData sends it. */
function multipart(file: Buffer, name = 'scan.png'): { payload: Buffer; contentType: string } {
  const boundary = `----contract${randomUUID()}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** What one request looked like, for failure messages. */
interface Sent {
  label: string;
  status: number;
  contentType: string;
  body: Buffer;
}

/** Checks one answer against the document: status documented, content type documented, body matches. */
function checkAnswer(doc: Doc, op: Op, sent: Sent): void {
  const response = op.responses[String(sent.status)] ?? op.responses.default;
  assert.ok(response, `${sent.label} → ${sent.status} is not documented (documented: ${Object.keys(op.responses).join(', ')}); body ${sent.body.toString().slice(0, 300)}`);
  const { content } = deref<OpenAPIV3.ResponseObject>(doc, response);
  if (!content) {
    assert.equal(sent.body.length, 0, `${sent.label} → ${sent.status} documents no body but got ${sent.body.toString().slice(0, 200)}`);
    return;
  }
  const type = sent.contentType.split(';')[0]!.trim();
  const media = content[type];
  assert.ok(media, `${sent.label} → ${sent.status} content type ${type} is not documented (documented: ${Object.keys(content).join(', ')})`);
  if (type === 'application/json' || type.endsWith('+json')) {
    const validate = validator(media.schema as object);
    const body: unknown = JSON.parse(sent.body.toString());
    assert.ok(validate(body), `${sent.label} → ${sent.status} body does not match the document: ${ajv.errorsText(validate.errors)}; body ${sent.body.toString().slice(0, 300)}`);
  } else if ((media.schema as Schema | undefined)?.format === 'binary') {
    assert.ok(sent.body.length > 0, `${sent.label} → ${sent.status} sent an empty file`);
  }
}

/** Real records to aim path parameters at, so valid requests reach the handlers' success paths. */
interface World {
  ids: Record<string, string>;
  slug: string;
  /**
   * Values a random body cannot guess (a category the clinic has, a known time zone, a real patient),
   * put into one valid body per caller so success paths are reached too. Keyed by field name, or by
   * operationId for credentials.
   */
  hints: Record<string, Record<string, unknown>>;
}

/** Which real id a path parameter names (an operation's own, else its collection's). */
function realParam(world: World, apiPath: string, name: string, opId: string): string {
  if (name === 'slug') return world.slug;
  const base = apiPath.replace(/\/\{id\}.*$/, '');
  return world.ids[opId] ?? world.ids[base] ?? randomUUID();
}

/** The token of the one-time link in an invitation or password-reset e-mail. */
async function linkToken(t: TestApp, to: string): Promise<string> {
  return /#token=([A-Za-z0-9_-]+)/.exec((await t.smtp.take(to)).text)![1]!;
}

async function makeWorld(t: TestApp, cookie: string, token: string, patient: { id: string; email: string }): Promise<World> {
  const { app } = t;
  const patientId = patient.id;
  const adminId = ((await call(app, 'GET', '/api/staff/me', { cookie })).json() as { staff: { id: string } }).staff.id;
  const staffList = (await call(app, 'GET', '/api/staff', { cookie })).json() as Array<{ id: string; role: string }>;
  const colleague = staffList.find((s) => s.role === 'staff')!.id;
  // One-time links for the signed-out operations, each for its own person (using a link voids the person's others).
  const invited: string[] = [];
  for (const n of [1, 2, 3, 4]) invited.push((await call(app, 'POST', '/api/staff', { cookie, body: { name: `Invited ${n}`, email: `invited${n}@north.test`, role: 'staff' } })).json().id as string);
  const clinicId = ((await call(app, 'GET', '/api/staff/me', { cookie })).json() as { clinic: { id: string } }).clinic.id;
  for (const n of [1, 2]) {
    await createStaff(t.deps.db, clinicId, { name: `Forgetful ${n}`, email: `forgetful${n}@north.test`, role: 'staff', password: PASSWORD });
    await call(app, 'POST', '/api/staff/password-reset', { body: { email: `forgetful${n}@north.test` } });
  }
  const newPassword = 'a contract test passphrase';
  const settings = (await call(app, 'GET', '/api/messaging/settings', { cookie })).json() as { categories: Array<{ id: string }> };
  await call(app, 'POST', '/api/patient/consent', { token, body: { accept: true } });
  const started = await call(app, 'POST', '/api/threads', { cookie, body: { id: randomUUID(), patientId, subject: 'Results', category: settings.categories[0]!.id, body: 'Your results are in.', patientMayReply: true } });
  assert.equal(started.statusCode, 201, started.body);
  const threadId = started.json().threadId as string;
  const { payload, contentType } = multipart(PNG);
  const upload = await app.inject({ method: 'POST', url: `/api/attachments?patientId=${patientId}`, headers: { origin: ORIGIN, cookie, 'content-type': contentType }, payload });
  assert.equal(upload.statusCode, 201, upload.body);
  const attachmentId = upload.json().id as string;
  await call(app, 'POST', `/api/threads/${threadId}/messages`, { cookie, body: { id: randomUUID(), body: 'The scan is attached.', attachmentIds: [attachmentId] } });
  const canned = await call(app, 'POST', '/api/canned-replies', { cookie, body: { title: 'Thanks', body: 'Thank you for your message.' } });
  // A questionnaire (PHQ-9), assigned to the patient and submitted once.
  const questionnaireId = (await call(app, 'POST', '/api/questionnaire-library/phq-9', { cookie })).json().questionnaire.id as string;
  const assignmentId = (await call(app, 'POST', `/api/questionnaires/${questionnaireId}/assignments`, { cookie, body: { patientIds: [patientId] } })).json().ids[0] as string;
  const until = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const scheduleId = (await call(app, 'POST', `/api/questionnaires/${questionnaireId}/assignments`, { cookie, body: { patientIds: [patientId], repeat: { every: 1, unit: 'week', until } } })).json().scheduleIds[0] as string;
  const phq9Answers = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`phq9-${n}`, [{ valueCoding: { system: 'http://loinc.org', code: 'LA6568-5' } }]]));
  const submitted = await call(app, 'POST', `/api/patient/questionnaires/${assignmentId}/submit`, { token, body: { answers: phq9Answers } });
  assert.equal(submitted.statusCode, 200, submitted.body);
  const questionnaireBody = { resourceType: 'Questionnaire', status: 'active', title: 'Contract', item: [{ linkId: 'a', type: 'string', text: 'A' }] };
  const mail = (await call(app, 'GET', '/api/outgoing-mail', { cookie })).json() as Array<{ id: string }>;
  const category = settings.categories[0]!.id;
  const week = { mon: [{ start: '08:00', end: '17:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  const booking = await bookingWorld(t, cookie, token, patientId);
  return {
    slug: 'north',
    hints: {
      all: {
        category,
        categories: [{ id: category, en: 'General', fr: 'Général' }],
        patientId,
        attachmentIds: [],
        assignedTo: adminId,
        status: 'open',
        timeZone: 'America/Toronto',
        subject: 'A question',
        hours: week,
        answeringBlocks: week,
        closures: [],
        // The rules refuse an empty emergency notice (shared/messaging-settings-rules.ts).
        emergencyNotice: { en: 'Not for emergencies: call 911.', fr: 'Pas pour les urgences : composez le 911.' },
        mode: 'two-way',
        subjectRequired: false,
        acceptNewOutsideHours: true,
        weeklyThreadQuota: null,
        maxChars: null,
        maxWords: null,
        // Left off, so the clinic keeps letting its factor-less admin in (true would be refused anyway: 409).
        requireTwoFactor: false,
      },
      postStaffLogin: { email: 'admin@north.test', password: PASSWORD },
      postThreadsBulk: { ids: [threadId], assignedTo: adminId },
      patchStaffById: { password: newPassword },
      postStaffInvitationCheck: { token: await linkToken(t, 'invited1@north.test') },
      postStaffInvitationAccept: { token: await linkToken(t, 'invited2@north.test'), password: newPassword },
      postStaffPasswordResetCheck: { token: await linkToken(t, 'forgetful1@north.test') },
      postStaffPasswordResetComplete: { token: await linkToken(t, 'forgetful2@north.test'), password: newPassword },
      postPatientAuthCode: { clinic: 'north', email: patient.email },
      postPatientAuthResume: { clinic: 'north' },
      postQuestionnaires: questionnaireBody,
      putQuestionnairesById: questionnaireBody,
      postQuestionnairesByIdAssignments: { patientIds: [patientId] },
      putPatientQuestionnairesByIdAnswers: { answers: {}, amend: true },
      postPatientQuestionnairesByIdSubmit: { answers: phq9Answers, amend: true },
      ...booking.hints,
    },
    ids: {
      '/api/patients': patientId,
      '/api/staff': colleague,
      postStaffByIdInvitation: invited[2]!,
      deleteStaffByIdInvitation: invited[3]!,
      '/api/threads': threadId,
      '/api/patient/threads': threadId,
      '/api/attachments': attachmentId,
      '/api/patient/attachments': attachmentId,
      '/api/canned-replies': canned.json().id as string,
      '/api/questionnaire-library': 'phq-9',
      '/api/questionnaires': questionnaireId,
      '/api/questionnaire-assignments': assignmentId,
      '/api/patient/questionnaires': assignmentId,
      '/api/questionnaire-responses': submitted.json().id as string,
      '/api/questionnaire-schedules': scheduleId,
      ...(mail[0] ? { '/api/outgoing-mail': mail[0].id } : {}),
      ...booking.ids,
    },
  };
}

/**
 * Booking records for the success paths: a provider open 09:00–17:00 every day, a 30-minute type,
 * open slots three days ahead for the bookings the run makes, appointments to cancel, move and mark,
 * spare hours and an exception to delete, and a calendar feed token.
 */
async function bookingWorld(t: TestApp, cookie: string, token: string, patientId: string): Promise<{ ids: Record<string, string>; hints: Record<string, Record<string, unknown>> }> {
  const { app } = t;
  const made = async (res: LightMyRequestResponse) => {
    assert.ok(res.statusCode < 300, res.body);
    return res.json() as { id: string; url: string };
  };
  const rules = { enabled: true, minNoticeMinutes: 120, horizonDays: 60, maxUpcomingPerPatient: 10, cancelCutoffHours: 24, slotStepMinutes: 15, reminderMinutesBefore: [2880, 120] };
  await made(await call(app, 'PUT', '/api/booking/rules', { cookie, body: rules }));
  const provider = await made(await call(app, 'POST', '/api/booking/providers', { cookie, body: { name: 'Dr. Contract' } }));
  const typeBody = { name: { en: 'Visit', fr: 'Visite' }, durationMinutes: 30, mode: 'in-person', location: '1 Main St', bufferBeforeMinutes: 0, bufferAfterMinutes: 0, existingPatientsOnly: true, providerIds: [], active: true };
  const type = await made(await call(app, 'POST', '/api/booking/types', { cookie, body: typeBody }));
  const hours = { providerId: provider.id, days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: '09:00', end: '17:00' };
  await made(await call(app, 'POST', '/api/booking/hours', { cookie, body: hours }));
  const spareHours = await made(await call(app, 'POST', '/api/booking/hours', { cookie, body: { ...hours, start: '18:00', end: '19:00' } }));
  const far = Date.now() + 300 * 24 * 3600_000;
  const far1h = { startsAt: new Date(far).toISOString(), endsAt: new Date(far + 3600_000).toISOString() };
  const exception = await made(await call(app, 'POST', '/api/booking/exceptions', { cookie, body: { providerId: provider.id, ...far1h } }));
  const slots = (await call(app, 'GET', `/api/patient/booking/slots?typeId=${type.id}&from=${new Date(Date.now() + 3 * 24 * 3600_000).toISOString().slice(0, 10)}&days=1`, { token })).json().slots as Array<{ startsAt: string }>;
  assert.ok(slots.length >= 24, `open slots: ${slots.length}`);
  const at = (i: number) => slots[i * 4]!.startsAt;
  const book = { typeId: type.id, providerId: provider.id };
  const toCancel = await made(await call(app, 'POST', '/api/patient/appointments', { token, body: { ...book, startsAt: at(0) } }));
  const toMove = await made(await call(app, 'POST', '/api/patient/appointments', { token, body: { ...book, startsAt: at(1) } }));
  const toMark = await made(await call(app, 'POST', '/api/booking/appointments', { cookie, body: { ...book, patientId, startsAt: at(2) } }));
  const toMoveByStaff = await made(await call(app, 'POST', '/api/booking/appointments', { cookie, body: { ...book, patientId, startsAt: at(6) } }));
  const feed = await made(await call(app, 'POST', `/api/booking/providers/${provider.id}/feed`, { cookie }));
  // The waitlist: entries of the patient (two holding a freed time, one to leave) and of another patient (for staff to remove).
  const clinicId = (await t.deps.db.selectFrom('patients').select('clinic_id').where('id', '=', patientId).executeTakeFirstOrThrow()).clinic_id;
  const type2 = await made(await call(app, 'POST', '/api/booking/types', { cookie, body: { ...typeBody, name: { en: 'Visit 2', fr: 'Visite 2' } } }));
  const day = (n: number) => new Date(Date.now() + n * 24 * 3600_000).toISOString().slice(0, 10);
  const window = { earliest: day(1), latest: day(10) };
  const me = { kind: 'patient' as const, clinicId, patientId };
  await joinWaitlist(t.deps, me, null, { typeId: type.id, ...window });
  await joinWaitlist(t.deps, me, null, { typeId: type2.id, ...window });
  const toLeave = await joinWaitlist(t.deps, me, null, { typeId: type2.id, providerId: provider.id, ...window });
  const other = await seedPatient(t.deps, (await t.deps.db.selectFrom('clinics').selectAll().where('id', '=', clinicId).executeTakeFirstOrThrow()), { email: 'waiting@north.example' });
  const toRemove = await joinWaitlist(t.deps, { kind: 'patient', clinicId, patientId: other.id }, null, { typeId: type.id, ...window });
  const freed = (typeId: string, i: number) => ({ providerId: provider.id, typeId, startsAt: at(i), endsAt: new Date(Date.parse(at(i)) + 30 * 60_000).toISOString() });
  const [toAccept] = await offerFreedSlot(t.deps, clinicId, freed(type.id, 7));
  const [toDecline] = await offerFreedSlot(t.deps, clinicId, freed(type2.id, 8));
  assert.ok(toAccept && toDecline && toAccept.patient_id === patientId && toDecline.patient_id === patientId);
  return {
    ids: {
      bookingType: type.id,
      '/api/booking/providers': provider.id,
      '/api/booking/types': type.id,
      '/api/booking/hours': spareHours.id,
      '/api/booking/exceptions': exception.id,
      '/api/booking/appointments': toMark.id,
      postPatientAppointmentsByIdCancel: toCancel.id,
      postPatientAppointmentsByIdReschedule: toMove.id,
      postBookingAppointmentsByIdReschedule: toMoveByStaff.id,
      feedToken: new URL(feed.url).searchParams.get('token')!,
      deletePatientWaitlistById: toLeave.id,
      deleteBookingWaitlistById: toRemove.id,
      postPatientWaitlistOffersByIdAccept: toAccept.id,
      postPatientWaitlistOffersByIdDecline: toDecline.id,
    },
    hints: {
      postPatientAppointments: { ...book, startsAt: at(3) },
      postPatientAppointmentsByIdReschedule: { providerId: provider.id, startsAt: at(4) },
      postBookingAppointments: { ...book, patientId, startsAt: at(5) },
      postBookingAppointmentsByIdReschedule: { providerId: provider.id, startsAt: slots[6 * 4 + 2]!.startsAt },
      patchBookingAppointmentsById: { status: 'cancelled' },
      putBookingRules: rules,
      postBookingProviders: { staffId: null },
      patchBookingProvidersById: { staffId: null, active: true },
      postBookingTypes: { ...typeBody, questionnaireId: null },
      putBookingTypesById: { ...typeBody, questionnaireId: null },
      postBookingHours: hours,
      postBookingExceptions: { providerId: provider.id, ...far1h },
      postPatientWaitlist: { typeId: type.id, providerId: provider.id, ...window },
    },
  };
}

/** One request to build: where, with which query and body, and whether the document calls it valid. */
interface Plan {
  url: string;
  body?: unknown;
  multipart?: boolean;
  valid: boolean;
  /** Which part was broken, for messages. */
  broken?: string;
}

/** Requests for one operation and caller: valid ones from the schemas, then invalid variants. */
function plans(doc: Doc, apiPath: string, op: Op, world: World, seed: number): Plan[] {
  const params = (op.parameters ?? []).map((p) => deref<OpenAPIV3.ParameterObject>(doc, p));
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const requestBody = op.requestBody ? deref<OpenAPIV3.RequestBodyObject>(doc, op.requestBody) : null;
  const jsonBody = requestBody?.content['application/json']?.schema as Schema | undefined;
  const isMultipart = Boolean(requestBody?.content['multipart/form-data']);

  const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number): T[] => fc.sample(arb, { numRuns: n, seed: seed + salt });
  const validOnly = <T>(schema: Schema | undefined, values: T[]) => (schema ? values.filter((v) => validator(schema)(v)) : values);

  const urlOf = (pathValues: Record<string, string>, query: Record<string, unknown>) => {
    let url = apiPath;
    for (const p of pathParams) url = url.replace(`{${p.name}}`, encodeURIComponent(pathValues[p.name]!));
    const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    return q.size ? `${url}?${q}` : url;
  };
  const realPath = Object.fromEntries(pathParams.map((p) => [p.name, realParam(world, apiPath, p.name, op.operationId!)]));
  const generatedPaths = sample(fc.record(Object.fromEntries(pathParams.map((p) => [p.name, validArb(p.schema as Schema)]))), VALID_PER_CALLER, 1) as Array<Record<string, string>>;
  const queryArb = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, validArb(p.schema as Schema)])), { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) });
  const queries = sample(queryArb, VALID_PER_CALLER, 2) as Array<Record<string, unknown>>;
  // Aim a query's patientId (upload) at the real patient.
  for (const q of queries.slice(0, 2)) if ('patientId' in q) q.patientId = world.ids['/api/patients'];
  // Booking queries name a real appointment type (and provider, when they name one).
  for (const q of queries.slice(0, 2)) {
    if ('typeId' in q) q.typeId = world.ids.bookingType;
    if ('providerId' in q) q.providerId = world.ids['/api/booking/providers'];
    if ('token' in q && world.ids.feedToken) q.token = world.ids.feedToken;
  }
  // A page cursor (a list's `cursor`, a conversation's `before`) is valid only as the server gave it out: the first query starts from the first page.
  if (queries[0]) {
    delete queries[0].cursor;
    delete queries[0].before;
  }
  const bodies = jsonBody ? validOnly(jsonBody, sample(validArb(jsonBody), VALID_PER_CALLER * 3, 3)).slice(0, VALID_PER_CALLER) : [];
  // The last valid body gets the hints (last, so what it leaves behind is a usable clinic).
  if (jsonBody && bodies.length === VALID_PER_CALLER && bodies[0] && typeof bodies[0] === 'object') {
    const known = Object.keys(jsonBody.properties ?? {});
    const hint = Object.fromEntries(Object.entries({ ...world.hints.all, ...world.hints[op.operationId!] }).filter(([k]) => known.includes(k)));
    const hinted = { ...(bodies[0] as object), ...hint };
    if (validator(jsonBody)(hinted)) bodies[VALID_PER_CALLER - 1] = hinted;
  }

  const out: Plan[] = [];
  for (let i = 0; i < VALID_PER_CALLER; i++) {
    const pathValues = i === 1 && pathParams.length ? generatedPaths[i]! : realPath;
    out.push({ url: urlOf(pathValues, queries[i] ?? {}), ...(jsonBody ? { body: bodies[i % Math.max(bodies.length, 1)] } : {}), multipart: isMultipart, valid: !jsonBody || bodies.length > 0 });
  }

  const invalid: Plan[] = [];
  if (jsonBody && bodies[0] !== undefined) {
    const variants = invalidVariants(jsonBody, bodies[0]).filter((b) => !validator(jsonBody)(b));
    for (const b of sample(fc.constantFrom(...variants), INVALID_PER_CALLER, 4)) invalid.push({ url: urlOf(realPath, queries[0] ?? {}), body: b, valid: false, broken: 'body' });
  }
  for (const p of pathParams) {
    for (const bad of ['no-such-id\u0000', '../..', 'a\\b', 'x'.repeat(300)].filter((v) => !validator(p.schema as Schema)(v))) {
      invalid.push({ url: urlOf({ ...realPath, [p.name]: bad }, queries[0] ?? {}), ...(jsonBody ? { body: bodies[0] } : {}), valid: false, broken: `path ${p.name}` });
    }
  }
  for (const p of queryParams) {
    for (const bad of ['nope', '-1', 'x'.repeat(600)].filter((v) => !validator(p.schema as Schema)(v) && !validator(p.schema as Schema)(Number(v)))) {
      invalid.push({ url: urlOf(realPath, { ...queries[0], [p.name]: bad }), ...(jsonBody ? { body: bodies[0] } : {}), multipart: isMultipart, valid: false, broken: `query ${p.name}` });
    }
  }
  // Text no field may hold, on any operation.
  invalid.push({ url: `${urlOf(realPath, queries[0] ?? {})}${queryParams.length || apiPath.includes('?') ? '&' : '?'}nul=%00`, ...(jsonBody ? { body: bodies[0] } : {}), valid: false, broken: 'NUL in the query' });
  return [...out, ...sample(fc.shuffledSubarray<Plan>(invalid, { minLength: Math.min(INVALID_PER_CALLER, invalid.length), maxLength: Math.min(INVALID_PER_CALLER, invalid.length) }), 1, 5)[0]!];
}

/** Sends with app.inject, but fails instead of hanging if an answer never ends (a stream opened by mistake). */
async function inject(app: FastifyInstance, opts: InjectOptions, label: string): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not answer within 10 s`)), 10_000);
  });
  try {
    return await Promise.race([app.inject(opts), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A live event stream over a real socket: status and content type, then the client leaves. */
async function openStream(base: string, url: string, headers: Record<string, string>): Promise<{ status: number; contentType: string; body: Buffer }> {
  const controller = new AbortController();
  const res = await fetch(`${base}${url}`, { headers, signal: controller.signal });
  const result = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: Buffer.alloc(0) };
  if (res.status === 200) {
    const reader = res.body!.getReader();
    const first = await reader.read();
    result.body = Buffer.from(first.value ?? []);
    controller.abort();
  } else {
    result.body = Buffer.from(await res.arrayBuffer());
  }
  return result;
}

/** A clinic with its admin signed in and one patient signed in (consent given). */
async function signedIn(t: TestContext, dialect: 'sqlite' | 'postgres') {
  // Text messages set up (toward a closed port: a text job just fails), so sends and reminders by text can answer 2xx.
  const ctx = await build(t, dialect, { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'contractTestToken0000', TWILIO_FROM: '+15145550100', TWILIO_API_BASE: 'http://127.0.0.1:9' });
  const { app, deps } = ctx;
  const clinic = await seedClinic(deps, 'north');
  const patient = await seedPatient(deps, clinic);
  const cookie = await staffCookie(app, 'admin@north.test');
  const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
  return { ctx, app, deps, clinic, patient, cookie, token };
}

for (const d of DIALECTS) {
  describe(`API contract (${d.name})`, { skip: d.skip }, () => {
    it('answers every documented operation, as staff, patient and anonymous, only as the document says', async (t) => {
      const { ctx, app, patient, cookie, token } = await signedIn(t, d.name);
      // Sessions the logout operations may end (the main ones must outlive the run).
      const spareCookie = await staffCookie(app, 'physician@north.test');
      const spareToken = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const world = await makeWorld(ctx, cookie, token, patient);
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const doc = (await app.inject('/api/openapi.json')).json() as Doc;

      let operations = 0;
      let requests = 0;
      const statuses = new Map<string, Set<number>>();
      for (const [apiPath, item] of Object.entries(doc.paths)) {
        for (const method of METHODS) {
          const op = item?.[method];
          if (!op) continue;
          operations++;
          const opId = op.operationId!;
          const security = op.security ?? [];
          const needs = security.length > 0 && security.every((s) => Object.keys(s).length > 0) ? Object.keys(security[0]!)[0] : null;
          const stream = Boolean(deref<OpenAPIV3.ResponseObject>(doc, op.responses['200'] ?? { description: '' }).content?.['text/event-stream']);
          const isLogout = apiPath.endsWith('/logout');
          const seen = new Set<number>();
          statuses.set(`${method.toUpperCase()} ${apiPath}`, seen);
          const callers: Caller[] = ['staff', 'patient', 'anonymous'];
          for (const [ci, caller] of callers.entries()) {
            const headers: Record<string, string> = { origin: ORIGIN };
            if (caller === 'staff') headers.cookie = isLogout ? spareCookie : cookie;
            if (caller === 'patient') headers.authorization = `Bearer ${isLogout ? spareToken : token}`;
            const authorised = needs === null || (needs === 'staffSession' && caller === 'staff') || (needs === 'patientBearer' && caller === 'patient');
            const planned: Plan[] = plans(doc, apiPath, op, world, seedOf(opId) + ci);
            for (const plan of planned) {
              const label: string = `${opId} as ${caller}: ${method.toUpperCase()} ${plan.url}${plan.broken ? ` (broken: ${plan.broken})` : ''}${plan.body !== undefined ? ` ${JSON.stringify(plan.body).slice(0, 200)}` : ''}`;
              let sent: Sent;
              if (stream && plan.valid && authorised) {
                const res = await openStream(base, plan.url, headers);
                sent = { label, status: res.status, contentType: res.contentType, body: res.body };
              } else {
                const h = { ...headers };
                let payload: string | Buffer | undefined;
                if (plan.multipart) {
                  const form = multipart(PNG);
                  h['content-type'] = form.contentType;
                  payload = form.payload;
                } else if (plan.body !== undefined) {
                  h['content-type'] = 'application/json';
                  payload = JSON.stringify(plan.body);
                }
                const res = await inject(app, { method: method.toUpperCase() as 'GET', url: plan.url, headers: h, ...(payload !== undefined ? { payload } : {}) }, label);
                sent = { label, status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.rawPayload };
              }
              requests++;
              seen.add(sent.status);
              checkAnswer(doc, op, sent);
              const code = sent.status >= 400 && sent.contentType.startsWith('application/json') ? (JSON.parse(sent.body.toString()) as { code?: string }).code : undefined;
              // CONTRACT_DEBUG=1 lists the valid requests the server refused (to see what the hints need).
              if (plan.valid && process.env.CONTRACT_DEBUG && sent.status >= 400) t.diagnostic(`${label} → ${sent.status} ${sent.body.toString().slice(0, 160)}`);
              if (plan.valid) {
                assert.ok(!(sent.status === 400 && code === 'invalid_request'), `${label} is valid by the document but was refused: ${sent.body.toString().slice(0, 300)}`);
                if (!authorised && sent.status !== 429) assert.equal(sent.status, 401, `${label}: ${caller} lacks ${needs} and must get 401, got ${sent.status} ${sent.body.toString().slice(0, 200)}`);
              } else {
                assert.ok(sent.status >= 400 && sent.status < 500, `${label} is invalid by the document but got ${sent.status} ${sent.body.toString().slice(0, 200)}`);
              }
            }
          }
          // Without our Origin, a state-changing API call is a cross-site forgery: 403, as documented.
          if (method !== 'get' && apiPath.startsWith('/api/')) {
            const res = await app.inject({ method: method.toUpperCase() as 'POST', url: apiPath.replace(/\{\w+\}/g, 'x'), headers: { origin: 'https://evil.example', cookie } });
            requests++;
            seen.add(res.statusCode);
            checkAnswer(doc, op, { label: `${opId} from a foreign origin`, status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: res.rawPayload });
            assert.equal(res.statusCode, 403);
          }
        }
      }
      t.diagnostic(`${operations} operations, ${requests} requests`);
      assert.equal(operations, Object.values(doc.paths).reduce((n, item) => n + METHODS.filter((m) => item?.[m]).length, 0));
      assert.ok(operations >= 48, `covered ${operations} operations`);
      // Every operation reached a success answer at least once (the generator is not just bouncing off
      // validation), except those that need what no request can carry here: an e-mailed code, the
      // development mailbox (these tests use SMTP) and a failed e-mail to retry; and the two-factor steps
      // that need a code from an authenticator app, a real authenticator, or a pending sign-in
      // (test/server/two-factor.test.ts and test/e2e/two-factor.test.ts reach those).
      const unreachable = [
        'POST /api/patient/auth/verify',
        'GET /api/dev/mailbox',
        'POST /api/outgoing-mail/{id}/retry',
        'POST /api/staff/login/totp',
        'POST /api/staff/login/recovery',
        'POST /api/staff/login/passkey/options',
        'POST /api/staff/login/passkey',
        'POST /api/staff/me/totp/confirm',
        'POST /api/staff/me/recovery-codes',
        'POST /api/staff/me/passkeys',
        'DELETE /api/staff/me/passkeys/{id}',
        'POST /api/staff/me/confirm-password',
      ];
      const neverOk = [...statuses].filter(([k, s]) => !unreachable.includes(k) && ![...s].some((c) => c < 300)).map(([k]) => k);
      assert.deepEqual(neverOk, [], `operations that never answered 2xx: ${neverOk.join(', ')}`);
    });
  });
}

for (const d of DIALECTS) {
  describe(`API input rules (${d.name})`, { skip: d.skip }, () => {
    it('refuses JSON of the wrong type, control characters and bad ports, but still reads typed query strings', async (t) => {
      const { ctx, app, patient, cookie, token } = await signedIn(t, d.name);
      const world = await makeWorld(ctx, cookie, token, patient);
      const threadId = world.ids['/api/threads']!;
      const refused = async (res: LightMyRequestResponse, what: string) => {
        assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
        assert.equal(res.json().code, 'invalid_request', what);
      };
      await refused(await call(app, 'POST', `/api/threads/${threadId}/messages`, { cookie, body: { id: randomUUID(), body: false } }), '"body": false');
      await refused(await call(app, 'POST', `/api/patient/threads/${threadId}/messages`, { token, body: { id: randomUUID(), body: 123 } }), '"body": 123');
      await refused(await call(app, 'POST', `/api/patient/threads/${threadId}/messages`, { token, body: { id: randomUUID(), body: 'hi', note: true } }), 'a patient note');
      const clinicNow = (await call(app, 'GET', '/api/clinic', { cookie })).json() as { name: string; allowedOrigins: string[]; brandColor: string; consentText: { en: string; fr: string } };
      const settings = { name: clinicNow.name, allowedOrigins: clinicNow.allowedOrigins, brandColor: clinicNow.brandColor, consentText: clinicNow.consentText };
      await refused(await call(app, 'PUT', '/api/clinic', { cookie, body: { ...settings, consentText: { en: 'Yes', fr: false } } }), 'consentText.fr: false');
      const badPort = await call(app, 'PUT', '/api/clinic', { cookie, body: { ...settings, allowedOrigins: ['https://a:65536'] } });
      assert.deepEqual([badPort.statusCode, badPort.json().code, badPort.json().params], [400, 'invalid_origin', { value: 'https://a:65536', line: 1 }], 'port 65536');
      await refused(await call(app, 'PUT', '/api/clinic', { cookie, body: { ...settings, name: 'North\nClinic' } }), 'a line break in a name');
      const ok = await call(app, 'PUT', '/api/clinic', { cookie, body: { ...settings, allowedOrigins: ['https://a:65535'] } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().allowedOrigins, ['https://a:65535']);
      const colleague = world.ids['/api/staff']!;
      await refused(await call(app, 'PATCH', `/api/staff/${colleague}`, { cookie, body: { disabled: null } }), '"disabled": null');
      await refused(await call(app, 'PATCH', `/api/staff/${colleague}`, { cookie, body: { disabled: 'false' } }), '"disabled": "false"');
      await refused(await call(app, 'POST', '/api/threads', { cookie, body: { id: randomUUID(), patientId: patient.id, subject: 'Re\u0007sults', category: 'x', body: 'b', patientMayReply: true } }), 'a control character in a subject');
      const inbox = await call(app, 'GET', '/api/inbox?limit=5&unread=true&mine=false', { cookie });
      assert.equal(inbox.statusCode, 200, `query strings are still typed: ${inbox.body}`);
      const backslash = await call(app, 'GET', '/api/public/clinics/x/%5C');
      assert.equal(backslash.statusCode, 404, 'an unknown API path is a plain 404');
      assert.equal(backslash.json().code, 'not_found');
    });
  });
}

describe('API document', () => {
  it('is valid OpenAPI with stable, unique operation ids and declared security, and lints clean with Redocly', async (t) => {
    const { app } = await build(t, 'sqlite');
    const doc = (await app.inject('/api/openapi.json')).json() as Doc;
    await SwaggerParser.validate(structuredClone(doc) as never);

    const ids: string[] = [];
    for (const [apiPath, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item?.[method];
        if (!op) continue;
        ids.push(op.operationId!);
        assert.ok(op.security, `${method} ${apiPath} declares who may call it`);
        assert.ok(Object.keys(op.responses).some((s) => s.startsWith('4')), `${method} ${apiPath} documents a 4xx`);
        assert.ok(op.responses['503'], `${method} ${apiPath} documents 503 storage_unavailable`);
      }
    }
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.ok(ids.includes('getPatientThreadsById') && ids.includes('postAttachments'), 'operationIds are derived from method and path');
    assert.deepEqual(Object.keys(doc.components?.securitySchemes ?? {}).sort(), ['patientBearer', 'staffSession']);
    assert.ok(doc.info.license?.name);
    assert.ok(doc.paths['/api/attachments']?.post?.requestBody, 'the staff upload documents its multipart body');
    assert.ok(doc.paths['/api/patient/threads/{id}/messages']?.post, 'patient reply is documented');
    const patientReply = deref<OpenAPIV3.RequestBodyObject>(doc, doc.paths['/api/patient/threads/{id}/messages']!.post!.requestBody!).content['application/json']!.schema as Schema;
    assert.equal(patientReply.properties?.note, undefined, 'the patient reply has no staff-only note field');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-openapi-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const root = path.resolve(import.meta.dirname, '../..');
    // The installed CLI (a devDependency), never a download; exit code 1 means lint errors.
    const run = await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--config', path.join(root, 'redocly.yaml'), '--format', 'json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 20 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; severity: string; message: string }> };
    const problems = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`);
    t.diagnostic(`redocly: ${report.totals.errors} errors, ${report.totals.warnings} warnings${problems.length ? `\n${problems.join('\n')}` : ''}`);
    assert.equal(report.totals.errors, 0, problems.join('\n'));
  });
});
