/**
 * Reply templates: a clinic's ready-made answers in English and French (no health information;
 * staff fill in the rest). Placeholders such as {patient.firstName} are filled in when inserted;
 * a name we would not fill is refused when the template is saved, naming the field.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { unknownPlaceholders, type CannedReply, type NewCannedReply } from '../../shared/messaging.js';
import type { Database } from '../db/schema.js';
import { AppError, notFound } from './errors.js';

/** The clinic's templates, by title. */
export async function listCannedReplies(db: Kysely<Database>, clinicId: string): Promise<CannedReply[]> {
  const rows = await db.selectFrom('canned_replies').select(['id', 'title', 'body', 'body_fr']).where('clinic_id', '=', clinicId).orderBy('title').execute();
  return rows.map((r) => ({ id: r.id, title: r.title, body: r.body, bodyFr: r.body_fr }));
}

function checkPlaceholders(field: 'body' | 'bodyFr', text: string | undefined): void {
  const unknown = text === undefined ? [] : unknownPlaceholders(text);
  if (unknown.length) throw new AppError(422, 'unknown_placeholder', `${field} uses {${unknown[0]}}, which is not a placeholder this product fills in`, { params: { field, name: unknown[0]! } });
}

/** Adds a template. */
export async function addCannedReply(db: Kysely<Database>, clinicId: string, input: NewCannedReply): Promise<CannedReply> {
  checkPlaceholders('body', input.body);
  checkPlaceholders('bodyFr', input.bodyFr);
  const row = { id: randomUUID(), clinic_id: clinicId, title: input.title.trim(), body: input.body, body_fr: input.bodyFr ?? null, created_at: new Date().toISOString() };
  await db.insertInto('canned_replies').values(row).execute();
  return { id: row.id, title: row.title, body: row.body, bodyFr: row.body_fr };
}

/** Removes a template of the clinic, or 404. */
export async function removeCannedReply(db: Kysely<Database>, clinicId: string, id: string): Promise<void> {
  const done = await db.deleteFrom('canned_replies').where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (Number(done.numDeletedRows) === 0) throw notFound('Reply template');
}
