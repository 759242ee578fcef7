/**
 * Two-factor sign-in for staff: the second step of signing in (authenticator code, recovery code or
 * passkey, with the pending sign-in cookie), the signed-in person's own factors (allowed in a session
 * limited to enrolment), and an admin's reset of a colleague's factors.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { ErrorBody, IdParams, Me, NewPasskey, PasswordConfirmation, PasskeyAdded, PasskeyOptions, PasskeySignIn, RecoveryCode, RecoveryCodes, TotpCode, TotpSetup, TwoFactorStatus } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import {
  confirmTotp,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  regenerateRecoveryCodes,
  registerPasskey,
  removePasskey,
  removeTotp,
  resetTwoFactor,
  signInWithPasskey,
  signInWithRecoveryCode,
  signInWithTotp,
  startTotp,
  twoFactorStatus,
  type CompletedSignIn,
} from '../domain/two-factor.js';
import { clearPendingCookie, pendingToken, requireStaff, setStaffCookie, staffOf, staffToken } from '../http/auth.js';
import { assertRecentlyAuthenticated, confirmPassword } from '../domain/reauthentication.js';
import { meOf } from './staff-auth.js';

export const twoFactorRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  // --- the second step of signing in (no session yet; the pending sign-in cookie says who) ---
  const signInErrors = { 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody };
  const signedIn = async (reply: FastifyReply, done: CompletedSignIn) => {
    setStaffCookie(deps, reply, done.token);
    clearPendingCookie(deps, reply);
    return meOf(deps, done.staff.clinic_id, done.staff.id);
  };

  app.post(
    '/api/staff/login/totp',
    { schema: { tags: ['staff'], summary: 'Complete a sign-in with a code from the authenticator app; sets the session cookie', body: TotpCode, response: { 200: Me, ...signInErrors } } },
    async (request, reply) => signedIn(reply, await signInWithTotp(deps, pendingToken(deps, request), request.body.code, request.id)),
  );

  app.post(
    '/api/staff/login/recovery',
    { schema: { tags: ['staff'], summary: 'Complete a sign-in with a recovery code (each works once); sets the session cookie', body: RecoveryCode, response: { 200: Me, ...signInErrors } } },
    async (request, reply) => signedIn(reply, await signInWithRecoveryCode(deps, pendingToken(deps, request), request.body.code, request.id)),
  );

  app.post(
    '/api/staff/login/passkey/options',
    { schema: { tags: ['staff'], summary: 'WebAuthn options to complete a sign-in with a passkey', response: { 200: PasskeyOptions, ...signInErrors } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return passkeySignInOptions(deps, pendingToken(deps, request));
    },
  );

  app.post(
    '/api/staff/login/passkey',
    { schema: { tags: ['staff'], summary: 'Complete a sign-in with a passkey; sets the session cookie', body: PasskeySignIn, response: { 200: Me, ...signInErrors } } },
    async (request, reply) => signedIn(reply, await signInWithPasskey(deps, pendingToken(deps, request), request.body.response as unknown as AuthenticationResponseJSON, request.id)),
  );

  // --- the signed-in person's own factors (also in a session limited to enrolment) ---
  const own = requireStaff(deps, undefined, { enrolment: true });
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
  /** Removing a factor or replacing recovery codes needs the password confirmed in the last 10 minutes. */
  const recent = async (request: Parameters<typeof staffToken>[1]) => assertRecentlyAuthenticated(deps.db, staffToken(deps, request) ?? '');

  app.post(
    '/api/staff/me/confirm-password',
    { onRequest: own, schema: { tags: ['staff'], summary: 'Confirm my password (for 10 minutes, changes to how I sign in are allowed)', body: PasswordConfirmation, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => {
      await confirmPassword(deps, staffOf(request), staffToken(deps, request) ?? '', request.body.password, request.id);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/staff/me/two-factor', { onRequest: own, schema: { tags: ['staff'], summary: 'My second factors', response: { 200: TwoFactorStatus, 401: ErrorBody, 403: ErrorBody } } }, async (request) => {
    const s = staffOf(request);
    return twoFactorStatus(deps.db, s.clinicId, s.staffId);
  });

  app.post('/api/staff/me/totp', { onRequest: own, schema: { tags: ['staff'], summary: 'Start setting up an authenticator app (active once a code is confirmed)', response: { 200: TotpSetup, ...errors } } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return startTotp(deps, staffOf(request), request.id);
  });

  app.post(
    '/api/staff/me/totp/confirm',
    { onRequest: own, schema: { tags: ['staff'], summary: 'Turn the authenticator app on with a code from it; returns recovery codes once', body: TotpCode, response: { 200: RecoveryCodes, ...errors } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return confirmTotp(deps, staffOf(request), request.body.code, request.id);
    },
  );

  app.delete('/api/staff/me/totp', { onRequest: [own, recent], schema: { tags: ['staff'], summary: 'Remove the authenticator app', response: { 204: { type: 'null' }, ...errors } } }, async (request, reply) => {
    await removeTotp(deps, staffOf(request), request.id);
    return reply.status(204).send(null);
  });

  app.post(
    '/api/staff/me/recovery-codes',
    { onRequest: [own, recent], schema: { tags: ['staff'], summary: 'New recovery codes (the old ones stop working); shown once', response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errors } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { recoveryCodes: await regenerateRecoveryCodes(deps, staffOf(request), request.id) };
    },
  );

  app.post('/api/staff/me/passkeys/options', { onRequest: own, schema: { tags: ['staff'], summary: 'WebAuthn options to create a passkey', response: { 200: PasskeyOptions, ...errors } } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return passkeyRegistrationOptions(deps, staffOf(request));
  });

  app.post(
    '/api/staff/me/passkeys',
    { onRequest: own, schema: { tags: ['staff'], summary: 'Add a passkey (the answer to the options); returns recovery codes once if there were none', body: NewPasskey, response: { 201: PasskeyAdded, ...errors } } },
    async (request, reply) => {
      const added = await registerPasskey(deps, staffOf(request), { name: request.body.name, response: request.body.response as unknown as RegistrationResponseJSON }, request.id);
      return reply.status(201).header('cache-control', 'no-store').send(added);
    },
  );

  app.delete('/api/staff/me/passkeys/:id', { onRequest: [own, recent], schema: { tags: ['staff'], summary: 'Remove one of my passkeys', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 1400, pattern: '^[A-Za-z0-9_-]+$' }) }), response: { 204: { type: 'null' }, ...errors } } }, async (request, reply) => {
    await removePasskey(deps, staffOf(request), request.params.id, request.id);
    return reply.status(204).send(null);
  });

  // --- administrators ---
  app.delete(
    '/api/staff/:id/two-factor',
    { onRequest: [requireStaff(deps, ['admin']), recent], schema: { tags: ['staff'], summary: "Reset a colleague's second factors (lost phone); their sessions end", params: IdParams, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => {
      await resetTwoFactor(deps, staffOf(request), request.params.id, request.id);
      return reply.status(204).send(null);
    },
  );
};
