/**
 * Establishing who is calling. Staff carry an HttpOnly session cookie; patients, inside a frame on a
 * clinic's site where third-party cookies are often blocked, carry a bearer token the frame holds.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { StaffRole } from '../../shared/roles.js';
import type { Deps } from '../deps.js';
import { recordAudit } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import type { PatientPrincipal, StaffPrincipal } from '../domain/principal.js';
import { resolveSession } from '../domain/sessions.js';
import { ABSOLUTE_LIFETIME_MS } from '../domain/sessions.js';
import { PENDING_LOGIN_TTL_MS, staffAccess } from '../domain/two-factor.js';

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffPrincipal | null;
    patient: PatientPrincipal | null;
  }
}

/** `__Host-` pins the cookie to our exact origin, but browsers accept it only over https. */
export function staffCookieName(deps: Deps): string {
  return deps.config.publicUrl.protocol === 'https:' ? '__Host-sm_session' : 'sm_session';
}

/** Sets the staff session cookie. */
export function setStaffCookie(deps: Deps, reply: FastifyReply, token: string): void {
  reply.setCookie(staffCookieName(deps), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.config.publicUrl.protocol === 'https:',
    maxAge: ABSOLUTE_LIFETIME_MS / 1000,
  });
}

/** Clears the staff session cookie. */
export function clearStaffCookie(deps: Deps, reply: FastifyReply): void {
  reply.clearCookie(staffCookieName(deps), { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.publicUrl.protocol === 'https:' });
}

/** The cookie holding a sign-in that waits for its second factor (same rules as the session cookie). */
function pendingCookieName(deps: Deps): string {
  return deps.config.publicUrl.protocol === 'https:' ? '__Host-sm_2fa' : 'sm_2fa';
}

/** Sets the pending sign-in cookie (HttpOnly, a few minutes). */
export function setPendingCookie(deps: Deps, reply: FastifyReply, token: string): void {
  reply.setCookie(pendingCookieName(deps), token, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.publicUrl.protocol === 'https:', maxAge: PENDING_LOGIN_TTL_MS / 1000 });
}

/** Clears the pending sign-in cookie. */
export function clearPendingCookie(deps: Deps, reply: FastifyReply): void {
  reply.clearCookie(pendingCookieName(deps), { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.publicUrl.protocol === 'https:' });
}

/**
 * The patient's session kept for a frame whose browser refuses it any storage (third-party storage
 * blocked, not partitioned): on https a partitioned cookie (CHIPS), so it is sent only to our frame
 * on the clinic's site that set it; HttpOnly, so neither the clinic's page nor the frame's script can
 * read it. It authenticates nothing by itself: only `POST /api/patient/auth/resume` (behind the
 * Origin check) reads it, and answers the frame with the bearer token.
 */
export function patientCookieName(deps: Deps): string {
  return deps.config.publicUrl.protocol === 'https:' ? '__Host-sm_patient' : 'sm_patient';
}

/** Cookie attributes: cross-site and partitioned on https; plain http (the local demo) keeps it same-site. */
function patientCookieOptions(deps: Deps) {
  return deps.config.publicUrl.protocol === 'https:'
    ? ({ path: '/', httpOnly: true, secure: true, sameSite: 'none', partitioned: true } as const)
    : ({ path: '/', httpOnly: true, secure: false, sameSite: 'strict' } as const);
}

/** Sets the patient's session cookie, for the session's whole lifetime (the server still ends it when idle). */
export function setPatientCookie(deps: Deps, reply: FastifyReply, token: string): void {
  reply.setCookie(patientCookieName(deps), token, { ...patientCookieOptions(deps), maxAge: ABSOLUTE_LIFETIME_MS / 1000 });
}

/** Clears the patient's session cookie. */
export function clearPatientCookie(deps: Deps, reply: FastifyReply): void {
  reply.clearCookie(patientCookieName(deps), patientCookieOptions(deps));
}

/** The patient session token in the cookie, if any. */
export function patientCookieToken(deps: Deps, request: FastifyRequest): string | null {
  return request.cookies[patientCookieName(deps)] ?? null;
}

/** The pending sign-in token on the request, if any. */
export function pendingToken(deps: Deps, request: FastifyRequest): string | null {
  return request.cookies[pendingCookieName(deps)] ?? null;
}

/** The staff session token on the request, if any. */
export function staffToken(deps: Deps, request: FastifyRequest): string | null {
  return request.cookies[staffCookieName(deps)] ?? null;
}

/** The patient bearer token on the request, if any. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header) : null;
  return match ? match[1]! : null;
}

const unauthenticated = () => new AppError(401, 'unauthenticated', 'Sign in to continue; your session may have ended');

/** The active staff member a session token belongs to, or null (unknown, ended, or account disabled). */
async function staffOfToken(deps: Deps, token: string, touch = true): Promise<StaffPrincipal | null> {
  const session = await resolveSession(deps.db, token, 'staff', { touch });
  if (!session) return null;
  const staff = await staffAccess(deps.db, session.clinicId, session.subjectId);
  return staff ? { kind: 'staff', clinicId: session.clinicId, staffId: staff.id, role: staff.role, ...(staff.enrolmentOnly ? { enrolmentOnly: true } : {}) } : null;
}

/** True while a staff session is live and its account enabled (open streams re-check this). */
export async function staffSessionLive(deps: Deps, token: string): Promise<boolean> {
  return (await staffOfToken(deps, token, false)) !== null;
}

/**
 * Requires a live staff session (optionally of certain roles) and sets `request.staff`. Runs as the
 * route's onRequest hook, before the body is read or validated: a caller without the right to a
 * route learns nothing about its fields. A refused role is audited. A session limited to enrolment
 * (the clinic requires two-factor sign-in, the person has no factor) passes only where
 * `opts.enrolment` says so; everywhere else it is 403 `two_factor_required`.
 */
export function requireStaff(deps: Deps, roles?: StaffRole[], opts: { enrolment?: boolean } = {}): onRequestAsyncHookHandler {
  return async (request) => {
    const token = staffToken(deps, request);
    const staff = token ? await staffOfToken(deps, token) : null;
    if (!staff) throw unauthenticated();
    if (staff.enrolmentOnly && !opts.enrolment) throw new AppError(403, 'two_factor_required', 'Your clinic requires two-factor sign-in: set up an authenticator app or a passkey first');
    request.staff = staff;
    if (roles) await checkRole(deps, request, roles);
  };
}

/** For a route inside a scope that already requires staff: also requires one of these roles. */
export function requireRole(deps: Deps, roles: StaffRole[]): onRequestAsyncHookHandler {
  return (request) => checkRole(deps, request, roles);
}

async function checkRole(deps: Deps, request: FastifyRequest, roles: StaffRole[]): Promise<void> {
  const staff = staffOf(request);
  if (roles.includes(staff.role)) return;
  await recordAudit(deps, staff, request.id, { action: 'access.forbidden', target: `${request.method} ${request.routeOptions.url ?? ''}`, outcome: 'denied' });
  throw new AppError(403, 'forbidden', `This needs the ${roles.join(' or ')} role`);
}

/** Requires a live patient session and sets `request.patient`; like requireStaff, before validation. */
export function requirePatient(deps: Deps): onRequestAsyncHookHandler {
  return async (request) => {
    const token = bearerToken(request);
    const session = token ? await resolveSession(deps.db, token, 'patient') : null;
    if (!session) throw unauthenticated();
    request.patient = { kind: 'patient', clinicId: session.clinicId, patientId: session.subjectId };
  };
}

/** The staff principal set by requireStaff. */
export function staffOf(request: FastifyRequest): StaffPrincipal {
  if (!request.staff) throw unauthenticated();
  return request.staff;
}

/** The patient principal set by requirePatient. */
export function patientOf(request: FastifyRequest): PatientPrincipal {
  if (!request.patient) throw unauthenticated();
  return request.patient;
}
