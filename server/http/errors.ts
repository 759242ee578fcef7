/**
 * One error handler for the whole API: domain errors keep their status and code, validation errors
 * name the field, and anything unexpected becomes a 500 that says nothing about the internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../domain/errors.js';

/** Installs the error and not-found handlers. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const requestId = request.id;
    if (error instanceof AppError) {
      return reply.status(error.status).send({ code: error.code, message: error.message, requestId });
    }
    if ('validation' in error && error.validation) {
      return reply.status(400).send({ code: 'invalid_request', message: humanize(error.message), requestId });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply.status(429).send({ code: 'rate_limited', message: 'Too many requests; wait a moment and try again', requestId });
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ code: (error.code ?? 'bad_request').toLowerCase(), message: error.message, requestId });
    }
    request.log.error({ err: { type: error.name, code: error.code, stack: error.stack } }, 'unhandled error');
    return reply.status(500).send({ code: 'internal', message: 'Something went wrong on our side; it has been logged', requestId });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}`, requestId: request.id });
  });
}

/** Ajv's "body/email must match format" reads better as "email: must match format". */
function humanize(message: string): string {
  return message.replace(/^(body|querystring|params|headers)\/?/, (_, where: string) => (where === 'body' ? '' : `${where} `)).replace(/^\s*/, '') || message;
}
