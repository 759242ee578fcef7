/**
 * The device key pair of the caller's session (see domain/device-keys.ts), for the patient frame and
 * the admin app. Never cached: it unlocks what the device keeps offline.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DeviceKeys, ErrorBody } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import { deviceKeysFor } from '../domain/device-keys.js';
import type { Principal } from '../domain/principal.js';
import { sessionIdOf } from '../domain/sessions.js';
import { bearerToken, patientOf, requirePatient, requireStaff, staffOf, staffToken } from '../http/auth.js';

const schema = (tag: string) => ({ tags: [tag], summary: "This session's device key pair (made on first call; gone when the session ends)", response: { 200: DeviceKeys, 401: ErrorBody } });

export const deviceKeyRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const release = async (request: FastifyRequest, reply: FastifyReply, who: Principal, token: string) => {
    const clinic = await getClinic(deps.db, who.clinicId);
    const keys = await audited(deps, who, request.id, (tx) => deviceKeysFor(tx, clinicCipher(deps.keyring, clinic), who.clinicId, sessionIdOf(token)), (k) => ({ action: 'device-key.release', target: `device-key:${k.keyId}` }));
    reply.header('cache-control', 'no-store');
    return keys;
  };

  app.post('/api/patient/device-key', { onRequest: requirePatient(deps), schema: schema('widget') }, async (request, reply) =>
    release(request, reply, patientOf(request), bearerToken(request)!),
  );
  app.post('/api/staff/device-key', { onRequest: requireStaff(deps), schema: schema('staff') }, async (request, reply) =>
    release(request, reply, staffOf(request), staffToken(deps, request)!),
  );
};
