/**
 * One error handler for the whole API: domain errors keep their status and code, validation errors
 * name the field, and anything unexpected becomes a 500 that says nothing about the internals.
 * A signed-in caller's 404 is an attempt on something that is not theirs (or is gone): audited.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { isStorageError, isUniqueViolation } from '../db/errors.js';
import type { Deps } from '../deps.js';
import { recordAudit } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';

/** Installs the error and not-found handlers. Storage failures are told to `deps.storage` for /health. */
export function registerErrorHandling(app: FastifyInstance, deps: Pick<Deps, 'db' | 'dialect' | 'keyring' | 'storage'>): void {
  const { storage } = deps;
  app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
    const requestId = request.id;
    if (error instanceof AppError) {
      if (error.code === 'not_found') await auditMiss(deps, request);
      const retry = error.retryAfterSeconds;
      if (retry !== undefined) reply.header('retry-after', String(retry));
      const params = retry !== undefined ? { ...error.params, retryAfterSeconds: retry } : error.params;
      const fields = { ...(error.field ? { field: error.field } : {}), ...(error.errors ? { errors: error.errors } : {}) };
      return reply.status(error.status).send({ code: error.code, message: error.message, ...(params ? { params } : {}), ...fields, requestId });
    }
    if ('validation' in error && error.validation) {
      const context = error.validationContext ?? 'body';
      const field = context === 'body' ? validationField(error.validation[0]!) : null;
      return reply.status(400).send({ code: 'invalid_request', message: describeValidation(context, error.validation), ...(field ? { field } : {}), requestId });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      // The rate-limit plugin has set Retry-After (seconds) on the reply: the browser words the wait.
      const retry = Number(reply.getHeader('retry-after'));
      const params = Number.isFinite(retry) && retry > 0 ? { params: { retryAfterSeconds: retry } } : {};
      return reply.status(429).send({ code: 'rate_limited', message: 'Too many requests; wait a moment and try again', ...params, requestId });
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ code: (error.code ?? 'bad_request').toLowerCase(), message: error.message, requestId });
    }
    if (isUniqueViolation(error)) {
      // Two requests created the same thing at once (PostgreSQL runs them in parallel): the loser is told, not a 500.
      request.log.warn({ err: { type: error.name, code: error.code } }, 'concurrent duplicate refused');
      return reply.status(409).send({ code: 'conflict', message: 'The same record was just created by another request; reload and try again', requestId });
    }
    if (isStorageError(error)) {
      // The real cause for the operator (codes and the engine's own words, never row data); a clear code for the client.
      storage.failed(error);
      request.log.error({ err: { type: error.name, code: error.code, message: error.message.slice(0, 200) } }, 'storage unavailable');
      return reply.status(503).header('retry-after', '30').send({ code: 'storage_unavailable', message: 'The server cannot store data right now; nothing was saved. Try again in a moment.', requestId });
    }
    // The stack without its first line: an error's message can quote the data it choked on.
    request.log.error({ err: { type: error.name, code: error.code, stack: error.stack?.split('\n').slice(1).join('\n') } }, 'unhandled error');
    return reply.status(500).send({ code: 'internal', message: 'Something went wrong on our side; it has been logged', requestId });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}`, requestId: request.id });
  });
}

/**
 * The denied row for a signed-in caller's 404: what was asked for (route and ids), in the caller's
 * clinic. The ids stay text in `target`, never linked as `patient_id`: they may be another clinic's.
 */
async function auditMiss(deps: Pick<Deps, 'db' | 'dialect' | 'keyring'>, request: FastifyRequest): Promise<void> {
  const who = request.staff ?? request.patient;
  if (!who) return;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
  const asked = [
    typeof params.id === 'string' && `id:${params.id}`,
    typeof body.id === 'string' && `id:${body.id}`,
    typeof body.patientId === 'string' && `patient:${body.patientId}`,
    Array.isArray(body.attachmentIds) && body.attachmentIds.length > 0 && `attachments:${body.attachmentIds.map(String).join(',')}`,
  ].filter(Boolean);
  const target = [`${request.method} ${request.routeOptions.url ?? ''}`, ...asked].join(' ').slice(0, 1000);
  await recordAudit(deps, who, request.id, { action: 'access.not-found', target, outcome: 'denied' }).catch((err: unknown) => {
    request.log.error({ err: { code: (err as { code?: string }).code } }, 'could not audit a denied request');
  });
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** The body field a schema refusal is at, as a dotted path (`categories.2.en`); null for the body as a whole. */
function validationField(issue: ValidationIssue): string | null {
  const params = issue.params as Record<string, unknown>;
  const name = issue.keyword === 'required' ? params.missingProperty : issue.keyword === 'additionalProperties' ? params.additionalProperty : null;
  return [issue.instancePath.replace(/^\//, '').replaceAll('/', '.'), name].filter(Boolean).join('.') || null;
}

/** One plain sentence naming the field, e.g. `email must be a valid email` or `extra is not a known field`. */
function describeValidation(context: string, issues: ValidationIssue[]): string {
  const issue = issues[0]!;
  const params = issue.params as Record<string, unknown>;
  const at = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const field = (name: unknown) => [at, name].filter(Boolean).join('.') || context;
  switch (issue.keyword) {
    case 'required':
      return `${field(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${field(params.additionalProperty)} is not a known field`;
    case 'format':
      return `${field(null)} must be a valid ${String(params.format)}`;
    case 'pattern':
      return `${field(null)} is not in the expected format`;
    case 'minProperties':
      return `${field(null)} must change at least one field`;
    default:
      return `${field(null)} ${issue.message ?? 'is not valid'}`;
  }
}
