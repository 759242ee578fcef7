/**
 * The OpenAPI document (`/api/openapi.json`): route schemas become operations, and this module adds
 * what every route shares so it is written once: the security schemes and who needs which, the
 * answers any request can get (400, 401, 403 Origin, 413, 415, 429, 503 `storage_unavailable`),
 * a stable `operationId`, and the multipart upload bodies that are read in the handler.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { OpenAPIV3 } from 'openapi-types';
import { ErrorBody } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { staffCookieName } from './auth.js';

const STAFF = 'staffSession';
const PATIENT = 'patientBearer';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

/** Who may call a path: the rule `requireStaff`/`requirePatient` follow (the contract test checks it). */
export function securityOf(path: string): OpenAPIV3.SecurityRequirementObject[] {
  if (path === '/api/staff/logout') return [{ [STAFF]: [] }, {}];
  if (path === '/api/patient/logout') return [{ [PATIENT]: [] }, {}];
  // Signed out: sign-in (and its second step), and the pages opened from an e-mailed link (invitation, password reset).
  const staffSignedOut = path === '/api/staff/login' || path.startsWith('/api/staff/login/') || path.startsWith('/api/staff/invitation/') || path.startsWith('/api/staff/password-reset');
  if (staffSignedOut || path.startsWith('/api/patient/auth/') || path.startsWith('/api/public/') || !path.startsWith('/api/')) return [];
  return path.startsWith('/api/patient/') ? [{ [PATIENT]: [] }] : [{ [STAFF]: [] }];
}

/** `get /api/patient/threads/{id}` → `getPatientThreadsById`: derived, so stable while the path is. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '/')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith('{') ? ['by', segment.slice(1, -1)] : segment.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const error = (description: string, headers?: Record<string, OpenAPIV3.HeaderObject>): OpenAPIV3.ResponseObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ErrorBody as unknown as OpenAPIV3.SchemaObject } },
});

/** Answers shared by many operations, referenced from each. */
const COMMON: Record<string, OpenAPIV3.ResponseObject> = {
  BadRequest: error('The request does not match this document (the message names the field), or holds a NUL character (`invalid_characters`)'),
  Unauthenticated: error('No live session for this operation (`unauthenticated`): sign in again'),
  BadOrigin: error(
    'A state-changing request without this server\'s own Origin header (`bad_origin`, the CSRF check), a role that may not do this (`forbidden`), or a session limited to two-factor enrolment (`two_factor_required`)',
  ),
  Forbidden: error('A role that may not do this (`forbidden`), or a session limited to two-factor enrolment (`two_factor_required`): the clinic requires two-factor sign-in and this person has not set it up yet'),
  PayloadTooLarge: error('The body is larger than the server accepts'),
  UnsupportedMediaType: error('The body is not in a content type this operation reads'),
  RateLimited: error('Too many requests from this caller (`rate_limited`); wait and try again', { 'retry-after': { description: 'Seconds to wait', schema: { type: 'integer' } } }),
  StorageUnavailable: error('The database cannot store or read data right now (`storage_unavailable`); nothing was saved. Try again after Retry-After', {
    'retry-after': { description: 'Seconds to wait', schema: { type: 'integer' } },
  }),
};

/** The multipart body of an upload route (`schema.consumes: ['multipart/form-data']`), read in the handler with `request.file()`. */
const UploadForm = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'string', format: 'binary', description: 'One PDF, JPEG or PNG file; its type is taken from its bytes' } },
};

/** The swagger plugin's options: document header, per-route additions and the shared parts. */
export function openapiOptions(deps: Deps): FastifyDynamicSwaggerOptions {
  /** `METHOD url` of the routes with a rate limit (collected by `transform`, used by `transformObject`). */
  const rateLimited = new Set<string>();
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Secure Messaging API',
        version: '1',
        description:
          'Secure messaging between Ontario clinics and their patients. Staff operations use the session cookie (`staffSession`) and state-changing ones must carry this server\'s Origin; widget operations use the patient bearer token (`patientBearer`). Errors are `{ code, message, requestId }`.',
        license: { name: 'Proprietary: all rights reserved', url: `${deps.config.publicUrl.origin}/api/docs` },
      },
      servers: [{ url: deps.config.publicUrl.origin }],
      tags: [
        { name: 'infra', description: 'Health and the outgoing e-mail queue' },
        { name: 'staff', description: 'Staff sign-in, accounts and device keys' },
        { name: 'clinic', description: "The clinic's settings" },
        { name: 'patients', description: 'Patient records (staff)' },
        { name: 'messaging', description: 'Inbox, conversations, templates and attachments (staff)' },
        { name: 'widget', description: 'What the patient frames call: public clinic data, sign-in, conversations' },
        { name: 'audit', description: 'The audit log (admins)' },
        { name: 'questionnaires', description: 'Questionnaires on FHIR R4: library, import, versions, assignments and responses (staff)' },
        { name: 'dev', description: 'Development helpers (only without SMTP)' },
      ],
      components: {
        securitySchemes: {
          [STAFF]: {
            type: 'apiKey',
            in: 'cookie',
            name: staffCookieName(deps),
            description: 'The HttpOnly session cookie set by `POST /api/staff/login`: `__Host-sm_session` when the server runs on https, `sm_session` otherwise. POST, PUT, PATCH and DELETE must also send `Origin` equal to the server URL (else 403 `bad_origin`).',
          },
          [PATIENT]: { type: 'http', scheme: 'bearer', description: 'The token returned by `POST /api/patient/auth/verify`, sent as `Authorization: Bearer <token>`.' },
        },
        responses: COMMON,
      },
    },
    transform: ({ schema, url, route }) => {
      if (!schema || schema.hide) return { schema, url };
      const extra: Record<string, unknown> = {};
      const consumes = (schema as { consumes?: string[] }).consumes;
      if (consumes?.includes('multipart/form-data') && !schema.body) extra.body = UploadForm;
      if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) for (const m of [route.method].flat()) rateLimited.add(`${m.toLowerCase()} ${url}`);
      return { schema: { ...schema, ...extra }, url };
    },
    transformObject: (input) => {
      if (!('openapiObject' in input)) return input.swaggerObject;
      const doc = input.openapiObject as OpenAPIV3.Document;
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of METHODS) {
          const op = item?.[method];
          if (!op) continue;
          op.operationId ??= operationIdOf(method, path);
          op.security ??= securityOf(path);
          // A route's own plain ErrorBody for a shared status becomes the shared answer (with its description).
          const add = (status: string, name: keyof typeof COMMON) => {
            const own = op.responses[status] as OpenAPIV3.ResponseObject | undefined;
            const ownSchema = own?.content?.['application/json']?.schema as OpenAPIV3.SchemaObject | undefined;
            if (!own || (own.description === 'Default Response' && ownSchema?.properties?.code && !ownSchema.properties.status)) op.responses[status] = { $ref: `#/components/responses/${name}` };
          };
          if (rateLimited.has(`${method} ${path}`.replace(/\{(\w+)\}/g, ':$1'))) add('429', 'RateLimited');
          add('400', 'BadRequest');
          if (op.security.some((s) => Object.keys(s).length > 0)) add('401', 'Unauthenticated');
          if (!STATE_CHANGING.has(method) && op.security.some((s) => STAFF in s)) add('403', 'Forbidden');
          if (STATE_CHANGING.has(method) && path.startsWith('/api/')) {
            add('403', 'BadOrigin');
            add('413', 'PayloadTooLarge');
            add('415', 'UnsupportedMediaType');
          }
          add('503', 'StorageUnavailable');
        }
      }
      return doc;
    },
  };
}
