/**
 * Staff invitations: an admin invites a colleague (name, e-mail, role); the account exists at once as
 * "invited" and cannot sign in. A one-time link (72 hours) is e-mailed through a job, its token sealed
 * with the clinic's key while it waits. The link's page sets the password and signs the person in.
 * Sending again makes a new link and voids the old; revoking removes the invited account.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, StaffRow } from '../db/schema.js';
import type { InvitationInfo, NewStaff } from '../../shared/api.js';
import type { Lang } from '../../shared/lang.js';
import { runAction, type Action, type ActionStore } from './action.js';
import { clinicCipher, getClinic } from './clinics.js';
import type { Keyring } from './crypto.js';
import { AppError } from './errors.js';
import { STAFF_TOKEN_PURPOSE, staffLinkNotice } from './notices.js';
import { hashPassword } from './passwords.js';
import type { StaffPrincipal } from './principal.js';
import { getStaff, getStaffListRow, normalizeEmail, type StaffListRow } from './staff.js';
import { issueStaffToken, usableStaffToken, useStaffToken, voidStaffTokens } from './staff-tokens.js';

type Store = ActionStore & { keyring: Keyring };

const notInvited = () => new AppError(409, 'not_invited', 'This person has already set their password; there is no invitation to send or revoke');

/** Makes a new invitation link for an invited staff member and leaves the job that e-mails it. */
async function sendLink(store: Store, a: Action, who: StaffPrincipal, staffId: string, lang: Lang): Promise<void> {
  const clinic = await getClinic(a.tx, who.clinicId);
  const link = await issueStaffToken(a.tx, { clinicId: who.clinicId, staffId, purpose: 'invitation', createdBy: who.staffId });
  a.enqueue(staffLinkNotice('mail.staff-invitation', who.clinicId, staffId, link.id, clinicCipher(store.keyring, clinic).encrypt(link.token, STAFF_TOKEN_PURPOSE), lang));
}

/** Invites a colleague to the admin's clinic: an invited account and an e-mailed link, in one action. */
export async function inviteStaff(store: Store, who: StaffPrincipal, input: NewStaff, requestId: string | null = null): Promise<StaffListRow> {
  const email = normalizeEmail(input.email);
  return runAction(store, who, requestId, async (a) => {
    const taken = await a.tx.selectFrom('staff').select('id').where('email', '=', email).executeTakeFirst();
    if (taken) throw new AppError(409, 'email_taken', 'A staff account with this e-mail address already exists');
    const row: StaffRow = { id: randomUUID(), clinic_id: who.clinicId, name: input.name.trim(), email, role: input.role, password_hash: '', disabled_at: null, created_at: new Date().toISOString(), password_set_at: null };
    await a.tx.insertInto('staff').values(row).execute();
    await sendLink(store, a, who, row.id, input.lang ?? 'en');
    a.audit({ action: 'staff.invite', target: `staff:${row.id}:${row.role}` });
    return getStaffListRow(a.tx, who.clinicId, row.id);
  });
}

/** Sends an invited colleague a new link; the earlier ones stop working. */
export async function resendInvitation(store: Store, who: StaffPrincipal, staffId: string, lang: Lang, requestId: string | null = null): Promise<StaffListRow> {
  return runAction(store, who, requestId, async (a) => {
    const row = await getStaff(a.tx, who.clinicId, staffId);
    if (row.password_set_at !== null) throw notInvited();
    await voidStaffTokens(a.tx, staffId, 'invitation');
    await sendLink(store, a, who, staffId, lang);
    a.audit({ action: 'staff.invite.resend', target: `staff:${staffId}` });
    return getStaffListRow(a.tx, who.clinicId, staffId);
  });
}

/** Withdraws a pending invitation: its links stop working and the invited account is removed. */
export async function revokeInvitation(store: ActionStore, who: StaffPrincipal, staffId: string, requestId: string | null = null): Promise<void> {
  await runAction(store, who, requestId, async (a) => {
    const row = await getStaff(a.tx, who.clinicId, staffId);
    if (row.password_set_at !== null) throw notInvited();
    await a.tx.deleteFrom('staff_tokens').where('staff_id', '=', staffId).execute();
    await a.tx.deleteFrom('staff').where('id', '=', staffId).where('clinic_id', '=', who.clinicId).where('password_set_at', 'is', null).execute();
    a.audit({ action: 'staff.invite.revoke', target: `staff:${staffId}` });
  });
}

/** Who an open invitation link is for (404 `link_invalid`, 410 `link_expired`). */
export async function invitationInfo(db: Kysely<Database>, token: string): Promise<InvitationInfo> {
  const link = await usableStaffToken(db, token, 'invitation');
  const staff = await getStaff(db, link.clinic_id, link.staff_id);
  const clinic = await getClinic(db, link.clinic_id);
  return { name: staff.name, email: staff.email, clinic: clinic.name };
}

/**
 * Sets the invited person's first password through their link, once: a second use, an expired,
 * replaced or revoked link is refused. Returns the now active staff member, to be signed in.
 */
export async function acceptInvitation(store: ActionStore, token: string, password: string, requestId: string | null = null): Promise<StaffRow> {
  const link = await usableStaffToken(store.db, token, 'invitation');
  const passwordHash = await hashPassword(password);
  const staff = await getStaff(store.db, link.clinic_id, link.staff_id);
  const who = { kind: 'staff' as const, clinicId: staff.clinic_id, staffId: staff.id, role: staff.role };
  return runAction(store, who, requestId, async (a) => {
    const used = await useStaffToken(a.tx, link.id);
    const set = used && Number((await a.tx.updateTable('staff').set({ password_hash: passwordHash, password_set_at: new Date().toISOString() }).where('id', '=', staff.id).where('password_set_at', 'is', null).executeTakeFirst()).numUpdatedRows) === 1;
    if (!set) throw new AppError(404, 'link_invalid', 'This link is not valid any more; it may have been used or replaced by a newer one');
    await voidStaffTokens(a.tx, staff.id);
    a.audit({ action: 'staff.invite.accept', target: `staff:${staff.id}` });
    return getStaff(a.tx, staff.clinic_id, staff.id);
  });
}
