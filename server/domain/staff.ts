/** Staff accounts: sign-in, creation, roles, disabling. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, StaffRow } from '../db/schema.js';
import type { NewStaff, StaffMember, StaffPatch } from '../../shared/api.js';
import { AppError, notFound } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { runAction, type ActionStore } from './action.js';
import type { Actor } from './principal.js';
import { revokeSubjectSessions } from './sessions.js';

/** E-mail addresses compare case-insensitively and without surrounding spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The staff member as the API shows them (never the hash). */
export function toStaffMember(row: StaffRow): StaffMember {
  return { id: row.id, name: row.name, email: row.email, role: row.role, disabled: row.disabled_at !== null, createdAt: row.created_at };
}

/** Adds a staff member to a clinic. */
export async function createStaff(db: Kysely<Database>, clinicId: string, input: NewStaff): Promise<StaffRow> {
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
  };
  await db.insertInto('staff').values(row).execute();
  return row;
}

/** The active staff member with these credentials; a 401 that does not say which part was wrong. */
export async function authenticateStaff(db: Kysely<Database>, email: string, password: string): Promise<StaffRow> {
  const row = await db.selectFrom('staff').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
  const ok = await verifyPassword(row?.password_hash ?? null, password);
  if (!row || !ok || row.disabled_at) throw new AppError(401, 'invalid_credentials', 'E-mail or password is incorrect');
  return row;
}

/** One staff member of the clinic, or 404. */
export async function getStaff(db: Kysely<Database>, clinicId: string, id: string): Promise<StaffRow> {
  const row = await db.selectFrom('staff').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Staff member');
  return row;
}

/** The staff member if their account is enabled, else undefined (for checking a session). */
export async function activeStaff(db: Kysely<Database>, clinicId: string, id: string): Promise<Pick<StaffRow, 'id' | 'role'> | undefined> {
  return db.selectFrom('staff').select(['id', 'role']).where('id', '=', id).where('clinic_id', '=', clinicId).where('disabled_at', 'is', null).executeTakeFirst();
}

/** Active colleagues a thread can be assigned to, by name. */
export async function listActiveColleagues(db: Kysely<Database>, clinicId: string): Promise<Array<Pick<StaffRow, 'id' | 'name' | 'role'>>> {
  return db.selectFrom('staff').select(['id', 'name', 'role']).where('clinic_id', '=', clinicId).where('disabled_at', 'is', null).orderBy('name').execute();
}

/** Everyone on the clinic's staff, by name. */
export async function listStaff(db: Kysely<Database>, clinicId: string): Promise<StaffRow[]> {
  return db.selectFrom('staff').selectAll().where('clinic_id', '=', clinicId).orderBy('name').execute();
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
        ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
      })
      .where('id', '=', id)
      .where('clinic_id', '=', clinicId)
      .execute();
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
