/**
 * Attachments: PDF, JPEG or PNG, recognised by their first bytes (magic numbers), never by name. Stored
 * encrypted; downloaded under a name the server makes, so a patient's file name never reaches a
 * header or a log.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AttachmentInfo } from '../../shared/messaging.js';
import type { Database } from '../db/schema.js';
import type { ClinicCipher } from './crypto.js';
import { AppError, notFound } from './errors.js';
import { runAction, type ActionStore } from './action.js';
import { assertConsent } from './patients.js';
import type { Principal } from './principal.js';

const ALLOWED: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

/**
 * The uploader's name for a file as shown to staff and the patient: without control characters, nor
 * the invisible marks that reorder text (U+202E would show "invoice\u202Efdp.exe" as "invoiceexe.pdf"),
 * at most 200 characters.
 */
export function displayFileName(raw: string): string {
  return raw.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, 200);
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const PDF = Buffer.from('%PDF-');

/**
 * The type of a file from its first bytes only: PDF (`%PDF-` within the first 1 KB, as readers
 * allow), JPEG or PNG. Nothing is unpacked or parsed, so a crafted archive costs no time or memory;
 * anything else is null (refused).
 */
export function sniffType(data: Buffer): keyof typeof ALLOWED | null {
  if (data.subarray(0, PNG.length).equals(PNG)) return 'image/png';
  if (data.subarray(0, JPEG.length).equals(JPEG)) return 'image/jpeg';
  if (data.subarray(0, 1024).indexOf(PDF) !== -1) return 'application/pdf';
  return null;
}

/** Files one person may have uploaded and not yet sent (the sweep deletes them after a day). */
export const UNSENT_UPLOADS = { files: 10, mb: 40 };

/**
 * Stores one uploaded file for a patient's conversation, unclaimed until a message names it, as one
 * action with its audit row. Each uploader has a cap on unsent files, checked under the patient's
 * lock so parallel uploads cannot all pass it.
 */
export async function storeAttachment(
  store: ActionStore,
  requestId: string | null,
  cipher: ClinicCipher,
  uploader: Principal,
  patientId: string,
  file: { fileName: string; data: Buffer },
  maxMb: number,
): Promise<AttachmentInfo> {
  if (file.data.length === 0) throw new AppError(400, 'empty_file', 'The file is empty');
  if (file.data.length > maxMb * 1024 * 1024) throw new AppError(413, 'file_too_large', `Files may be at most ${maxMb} MB`, { params: { maxMb } });
  const mime = sniffType(file.data);
  if (!mime) throw new AppError(415, 'unsupported_file', 'Only PDF, JPEG and PNG files can be attached');
  const id = randomUUID();
  const fileName = displayFileName(file.fileName) || `file.${ALLOWED[mime]}`;
  const uploadedBy = uploader.kind === 'staff' ? uploader.staffId : uploader.patientId;
  await runAction(store, uploader, requestId, async (a) => {
    await a.lockPatient(cipher.clinicId, patientId);
    if (uploader.kind === 'patient') await assertConsent(a.tx, uploader.clinicId, uploader.patientId);
    const unsent = await a.tx
      .selectFrom('attachments')
      .select([(eb) => eb.fn.countAll<number>().as('files'), (eb) => eb.fn.sum<number>('size').as('bytes')])
      .where('clinic_id', '=', cipher.clinicId)
      .where('uploaded_by', '=', uploadedBy)
      .where('message_id', 'is', null)
      .where('questionnaire_assignment_id', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(unsent.files) >= UNSENT_UPLOADS.files || Number(unsent.bytes ?? 0) + file.data.length > UNSENT_UPLOADS.mb * 1024 * 1024) {
      throw new AppError(429, 'upload_quota', `At most ${UNSENT_UPLOADS.files} files (${UNSENT_UPLOADS.mb} MB) can wait to be sent; send or discard some first`, { params: { files: UNSENT_UPLOADS.files, maxMb: UNSENT_UPLOADS.mb } });
    }
    await a.tx
      .insertInto('attachments')
      .values({
        id,
        clinic_id: cipher.clinicId,
        patient_id: patientId,
        uploaded_by_type: uploader.kind,
        uploaded_by: uploadedBy,
        message_id: null,
        questionnaire_assignment_id: null,
        file_name_enc: cipher.encrypt(fileName, 'attachment.name'),
        mime,
        size: file.data.length,
        data_enc: cipher.encryptBytes(file.data, 'attachment.data'),
        created_at: new Date().toISOString(),
      })
      .execute();
    a.audit({ action: 'attachment.upload', patientId, target: `attachment:${id}` });
  });
  return { id, fileName, mime, size: file.data.length };
}

/** Checks that the uploader may attach these files to a message about this patient. */
export async function assertClaimable(db: Kysely<Database>, clinicId: string, patientId: string, uploader: Principal, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await db.selectFrom('attachments').select(['id', 'message_id', 'questionnaire_assignment_id', 'uploaded_by', 'patient_id']).where('clinic_id', '=', clinicId).where('id', 'in', ids).execute();
  const uploaderId = uploader.kind === 'staff' ? uploader.staffId : uploader.patientId;
  for (const id of ids) {
    const row = rows.find((r) => r.id === id);
    if (!row || row.patient_id !== patientId || (uploader.kind === 'patient' && row.uploaded_by !== uploaderId)) throw notFound(`Attachment ${id}`);
    if (row.message_id || row.questionnaire_assignment_id) throw new AppError(409, 'attachment_used', `Attachment ${id} is already part of a message`);
  }
}

/**
 * Claims the patient's own uploads (made through the same upload, so the same type, size and quota
 * checks) for a questionnaire assignment whose attachment answers name them, inside the caller's
 * action. A file of another patient or clinic is 404, one already in a message or another
 * assignment 409. Returns each file's FHIR Attachment fields, taken from the stored file, never
 * from what the browser said.
 */
export async function claimForQuestionnaire(db: Kysely<Database>, cipher: ClinicCipher, patientId: string, assignmentId: string, ids: string[]): Promise<Map<string, { contentType: string; size: number; title: string }>> {
  const out = new Map<string, { contentType: string; size: number; title: string }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('attachments')
    .select(['id', 'message_id', 'questionnaire_assignment_id', 'uploaded_by_type', 'uploaded_by', 'patient_id', 'mime', 'size', 'file_name_enc'])
    .where('clinic_id', '=', cipher.clinicId)
    .where('id', 'in', ids)
    .execute();
  for (const id of ids) {
    const row = rows.find((r) => r.id === id);
    if (!row || row.patient_id !== patientId || row.uploaded_by_type !== 'patient' || row.uploaded_by !== patientId) throw notFound(`Attachment ${id}`);
    if (row.message_id || (row.questionnaire_assignment_id && row.questionnaire_assignment_id !== assignmentId)) throw new AppError(409, 'attachment_used', `Attachment ${id} is already used elsewhere`);
    if (!ALLOWED[row.mime]) throw new AppError(415, 'unsupported_file', 'Only PDF, JPEG and PNG files can be attached');
    out.set(id, { contentType: row.mime, size: row.size, title: cipher.decrypt(row.file_name_enc, 'attachment.name') });
  }
  await db.updateTable('attachments').set({ questionnaire_assignment_id: assignmentId }).where('clinic_id', '=', cipher.clinicId).where('id', 'in', ids).where('questionnaire_assignment_id', 'is', null).execute();
  return out;
}

/** Attachment metadata for messages, keyed by message id. */
export async function attachmentsFor(db: Kysely<Database>, cipher: ClinicCipher, messageIds: string[]): Promise<Map<string, AttachmentInfo[]>> {
  const map = new Map<string, AttachmentInfo[]>();
  if (messageIds.length === 0) return map;
  const rows = await db.selectFrom('attachments').select(['id', 'message_id', 'file_name_enc', 'mime', 'size']).where('clinic_id', '=', cipher.clinicId).where('message_id', 'in', messageIds).orderBy('created_at').execute();
  for (const r of rows) {
    const list = map.get(r.message_id!) ?? [];
    list.push({ id: r.id, fileName: cipher.decrypt(r.file_name_enc, 'attachment.name'), mime: r.mime, size: r.size });
    map.set(r.message_id!, list);
  }
  return map;
}

/** The file, if the principal may see it: staff of the clinic; the patient only for messages (not notes) in their own threads, or their own uploads. Audited with the read. */
export async function readAttachment(store: ActionStore, requestId: string | null, cipher: ClinicCipher, who: Principal, id: string): Promise<{ patientId: string; mime: string; data: Buffer; downloadName: string }> {
  return runAction(store, who, requestId, async (a) => {
    const row = await a.tx
      .selectFrom('attachments as a')
      .leftJoin('messages as m', 'm.id', 'a.message_id')
      .select(['a.id', 'a.patient_id', 'a.mime', 'a.data_enc', 'a.uploaded_by', 'a.created_at', 'm.kind'])
      .where('a.clinic_id', '=', cipher.clinicId)
      .where('a.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Attachment');
    if (who.kind === 'patient') {
      const mine = row.patient_id === who.patientId;
      const visible = row.kind === 'message' || (row.kind === null && row.uploaded_by === who.patientId);
      if (!mine || !visible) throw notFound('Attachment');
    }
    const ext = ALLOWED[row.mime] ?? 'bin';
    a.audit({ action: 'attachment.read', patientId: row.patient_id, target: `attachment:${id}` });
    return { patientId: row.patient_id, mime: row.mime, data: cipher.decryptBytes(row.data_enc, 'attachment.data'), downloadName: `attachment-${row.created_at.slice(0, 10)}-${row.id.slice(0, 8)}.${ext}` };
  });
}
