/** Staff accounts: sign-in, creation, roles, disabling. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, StaffRow } from '../db/schema.js';
import type { StaffMember, StaffPatch } from '../../shared/api.js';
import type { StaffRole } from '../../shared/roles.js';
import { AppError, notFound } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { runAction, type ActionStore } from './action.js';
import type { Actor } from './principal.js';
import { revokeSubjectSessions } from './sessions.js';
import { voidStaffTokens } from './staff-tokens.js';

/** E-mail addresses compare case-insensitively and without surrounding spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A staff row with the expiry of its newest open invitation link (null when none is open). */
export type StaffListRow = StaffRow & { invitation_expires_at?: string | null };

/** The staff member as the API shows them (never the hash): an invited one has not set a password yet. */
export function toStaffMember(row: StaffListRow, now = Date.now()): StaffMember {
  const member: StaffMember = { id: row.id, name: row.name, email: row.email, role: row.role, disabled: row.disabled_at !== null, createdAt: row.created_at };
  if (row.password_set_at === null) member.invitation = { expiresAt: row.invitation_expires_at ?? row.created_at, expired: !row.invitation_expires_at || now >= Date.parse(row.invitation_expires_at) };
  return member;
}

/** A staff member created with a password (operators' CLI, the demo and tests); the admin invites instead. */
export interface StaffWithPassword {
  name: string;
  email: string;
  role: StaffRole;
  password: string;
}

/** Adds a staff member who can sign in at once with the given password (checked against the rules). */
export async function createStaff(db: Kysely<Database>, clinicId: string, input: StaffWithPassword): Promise<StaffRow> {
  const email = normalizeEmail(input.email);
  const taken = await db.selectFrom('staff').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw new AppError(409, 'email_taken', 'A staff account with this e-mail address already exists');
  const row: StaffRow = {
    id: randomUUID(),
    clinic_id: clinicId,
    name: input.name.trim(),
    email,
    role: input.role,
    password_hash: await hashPassword(input.password),
    disabled_at: null,
    created_at: new Date().toISOString(),
    password_set_at: new Date().toISOString(),
  };
  await db.insertInto('staff').values(row).execute();
  return row;
}

/** The active staff member with these credentials; a 401 that does not say which part was wrong. */
export async function authenticateStaff(db: Kysely<Database>, email: string, password: string): Promise<StaffRow> {
  const row = await db.selectFrom('staff').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
  const ok = await verifyPassword(row?.password_hash ?? null, password);
  if (!row || !ok || row.disabled_at || row.password_set_at === null) throw new AppError(401, 'invalid_credentials', 'E-mail or password is incorrect');
  return row;
}

/** One staff member of the clinic, or 404. */
export async function getStaff(db: Kysely<Database>, clinicId: string, id: string): Promise<StaffRow> {
  const row = await db.selectFrom('staff').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Staff member');
  return row;
}

/** The staff member if their account is enabled (and no longer only invited), else undefined (for checking a session). */
export async function activeStaff(db: Kysely<Database>, clinicId: string, id: string): Promise<Pick<StaffRow, 'id' | 'role'> | undefined> {
  return db.selectFrom('staff').select(['id', 'role']).where('id', '=', id).where('clinic_id', '=', clinicId).where('disabled_at', 'is', null).where('password_set_at', 'is not', null).executeTakeFirst();
}

/** Active colleagues a thread can be assigned to, by name (not the invited, who have not joined yet). */
export async function listActiveColleagues(db: Kysely<Database>, clinicId: string): Promise<Array<Pick<StaffRow, 'id' | 'name' | 'role'>>> {
  return db.selectFrom('staff').select(['id', 'name', 'role']).where('clinic_id', '=', clinicId).where('disabled_at', 'is', null).where('password_set_at', 'is not', null).orderBy('name').execute();
}

/** Everyone on the clinic's staff, by name, with the expiry of each invited person's open link. */
export async function listStaff(db: Kysely<Database>, clinicId: string): Promise<StaffListRow[]> {
  return db
    .selectFrom('staff')
    .selectAll()
    .select((eb) =>
      eb
        .selectFrom('staff_tokens as t')
        .select((e) => e.fn.max('t.expires_at').as('e'))
        .whereRef('t.staff_id', '=', 'staff.id')
        .where('t.purpose', '=', 'invitation')
        .where('t.used_at', 'is', null)
        .where('t.revoked_at', 'is', null)
        .as('invitation_expires_at'),
    )
    .where('clinic_id', '=', clinicId)
    .orderBy('name')
    .execute();
}

/** One staff member with their open invitation's expiry, for answers about them. */
export async function getStaffListRow(db: Kysely<Database>, clinicId: string, id: string): Promise<StaffListRow> {
  const row = (await listStaff(db, clinicId)).find((r) => r.id === id);
  if (!row) throw notFound('Staff member');
  return row;
}

/**
 * Changes a staff member, as one action: disabling or a new password ends their sessions at once (and
 * their open live streams, through a session-ended event). The clinic always keeps one active admin,
 * so nobody locks the clinic out of its own settings.
 */
export async function updateStaff(store: ActionStore, actor: Actor, clinicId: string, id: string, patch: StaffPatch, requestId: string | null = null): Promise<StaffRow> {
  const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  return runAction(store, actor, requestId, async (a) => {
    const row = await getStaff(a.tx, clinicId, id);
    const losesAdmin = row.role === 'admin' && !row.disabled_at && ((patch.role && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin) {
      const admins = await a.tx.selectFrom('staff').select('id').where('clinic_id', '=', clinicId).where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
      if (admins.length <= 1) throw new AppError(409, 'last_admin', 'The clinic must keep at least one active administrator');
    }
    await a.tx
      .updateTable('staff')
      .set({
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled_at: patch.disabled ? (row.disabled_at ?? new Date().toISOString()) : null } : {}),
        ...(passwordHash !== undefined ? { password_hash: passwordHash, password_set_at: new Date().toISOString() } : {}),
      })
      .where('id', '=', id)
      .where('clinic_id', '=', clinicId)
      .execute();
    if (passwordHash !== undefined) await voidStaffTokens(a.tx, id);
    if (patch.disabled === true || passwordHash !== undefined) {
      await revokeSubjectSessions(a.tx, 'staff', id);
      a.emit(clinicId, { type: 'session-ended', subjectKind: 'staff', subjectId: id });
    }
    a.audit({ action: 'staff.update', target: `staff:${id}:${Object.keys(patch).filter((k) => k !== 'password').concat(passwordHash ? ['password'] : []).sort().join(',')}` });
    return getStaff(a.tx, clinicId, id);
  });
}

/** Sets a new password by e-mail (operators' CLI); ends the account's sessions. */
export async function resetPassword(store: ActionStore, email: string, password: string): Promise<StaffRow> {
  const row = await store.db.selectFrom('staff').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
  if (!row) throw notFound('Staff member');
  return updateStaff(store, { kind: 'system', clinicId: row.clinic_id }, row.clinic_id, row.id, { password });
}
