/**
 * Builds the HTTP application from its collaborators. No listening here: start-up (main.ts) and the
 * tests (app.inject) both call buildApp.
 */
import { randomUUID } from 'node:crypto';
import { AjvCompiler } from '@fastify/ajv-compiler';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Deps } from './deps.js';
import { startWorkers } from './workers.js';
import { deviceKeyRoutes } from './routes/device-keys.js';
import { registerErrorHandling } from './http/errors.js';
import { openapiOptions } from './http/openapi.js';
import { registerInputGuard } from './http/input-guard.js';
import { registerSecurity } from './http/security.js';
import { databaseRateLimitStore } from './http/rate-limit-store.js';
import { auditRoutes } from './routes/audit.js';
import { clinicRoutes } from './routes/clinic.js';
import { devMailboxRoutes } from './routes/dev-mailbox.js';
import { healthRoutes } from './routes/health.js';
import { patientAuthRoutes } from './routes/patient-auth.js';
import { patientMessagingRoutes } from './routes/messaging-patient.js';
import { staffMessagingRoutes } from './routes/messaging-staff.js';
import { patientRoutes } from './routes/patients.js';
import { staffAuthRoutes } from './routes/staff-auth.js';
import { staffRoutes } from './routes/staff.js';
import { twoFactorRoutes } from './routes/two-factor.js';
import { webRoutes } from './routes/web.js';
import { portalRoutes } from './routes/portal.js';
import { outgoingMailRoutes } from './routes/outgoing-mail.js';
import { questionnaireRoutes } from './routes/questionnaires.js';
import { questionnaireResponseRoutes } from './routes/questionnaire-responses.js';
import { patientBookingRoutes } from './routes/booking-patient.js';
import { staffBookingRoutes } from './routes/booking-staff.js';
import { bookingRequestRoutes } from './routes/booking-requests.js';

/** Options that differ between production and tests. */
export interface AppOptions {
  /** false silences request logs (tests); otherwise a pino level. */
  logLevel?: string | false;
  /** Where logs go (default stdout); tests capture them to check they carry no health information. */
  logStream?: { write(line: string): void };
  /** false leaves the job runner, scheduler and event hub stopped (a test that drives them by hand). */
  workers?: boolean;
}

/** Believes exactly `hops` proxies: the client is that many addresses from the right of X-Forwarded-For. */
const trustHops = (hops: number) => (_address: string, index: number) => index < hops;

/** The Fastify app, ready to `listen` or `inject`. */
export async function buildApp(deps: Deps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logLevel === false
        ? false
        : {
            level: opts.logLevel ?? deps.config.logLevel,
            // Only method and path: query strings can carry search terms about patients.
            serializers: { req: (req) => ({ method: req.method, path: req.url.split('?')[0], id: req.id }), res: (res) => ({ statusCode: res.statusCode }) },
            ...(opts.logStream ? { stream: opts.logStream } : {}),
          },
    genReqId: () => randomUUID(),
    trustProxy: typeof deps.config.trustProxy === 'number' ? trustHops(deps.config.trustProxy) : deps.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Server-Sent Event streams stay open; closing the server must not wait for them.
    forceCloseConnections: true,
    // A path Fastify cannot even decode (`/assets/%ff`) is refused in the API's own error shape.
    frameworkErrors: (error, request, reply) => {
      const badUrl = error.code === 'FST_ERR_BAD_URL';
      void (reply as FastifyReply).status(badUrl ? 400 : (error.statusCode ?? 400)).send({ code: badUrl ? 'bad_url' : error.code.toLowerCase(), message: badUrl ? 'The address is not valid percent-encoded text' : error.message, requestId: request.id });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Two validators: query strings and path parameters are text, so `?limit=5&unread=true` is coerced
  // to the schema's number and boolean; a JSON body already has types, and `"body": false` or
  // `"disabled": null` is a mistake to refuse (400), never a value to convert. Both get ajv-formats.
  const ajvPool = AjvCompiler();
  const compileBody = ajvPool({}, { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true } });
  const compileText = ajvPool({}, { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } });
  app.setValidatorCompiler((route) => (route.httpPart === 'body' ? compileBody : compileText)(route));

  if (opts.workers !== false) {
    let stopWorkers: (() => Promise<void>) | null = null;
    app.addHook('onReady', async () => {
      stopWorkers = await startWorkers(deps, app.log);
    });
    app.addHook('onClose', async () => stopWorkers?.());
  }

  app.decorateRequest('staff', null);
  app.decorateRequest('patient', null);
  registerErrorHandling(app, deps);
  registerInputGuard(app);
  await registerSecurity(app, deps);
  await app.register(cookie);
  // Counted in the database: limits hold across instances and restarts.
  await app.register(rateLimit, { global: false, store: databaseRateLimitStore(deps.db, deps.keyring.derive('rate-limit')) });
  // JSON and multipart only: a text/plain body (what a cross-site form or beacon can send without
  // asking) is 415 at once, not parsed into a string for the schema to refuse.
  app.removeContentTypeParser('text/plain');
  // Attachments: one file per request; each route applies its clinic's size cap.
  await app.register(multipart, { limits: { files: 1, fields: 5, fileSize: 25 * 1024 * 1024 } });

  await app.register(swagger, openapiOptions(deps));
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const routes of [healthRoutes, staffAuthRoutes, twoFactorRoutes, staffRoutes, clinicRoutes, patientRoutes, patientAuthRoutes, patientMessagingRoutes, staffMessagingRoutes, auditRoutes, outgoingMailRoutes, questionnaireRoutes, questionnaireResponseRoutes, deviceKeyRoutes, devMailboxRoutes, patientBookingRoutes, staffBookingRoutes, bookingRequestRoutes, portalRoutes, webRoutes]) {
    await app.register(routes, { deps });
  }
  return app;
}
