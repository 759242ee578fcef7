/** Reply templates: a clinic's ready-made answers (no health information; staff fill in the rest). */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CannedReply, NewCannedReply } from '../../shared/messaging.js';
import type { Database } from '../db/schema.js';
import { notFound } from './errors.js';

/** The clinic's templates, by title. */
export async function listCannedReplies(db: Kysely<Database>, clinicId: string): Promise<CannedReply[]> {
  return db.selectFrom('canned_replies').select(['id', 'title', 'body']).where('clinic_id', '=', clinicId).orderBy('title').execute();
}

/** Adds a template. */
export async function addCannedReply(db: Kysely<Database>, clinicId: string, input: NewCannedReply): Promise<CannedReply> {
  const row = { id: randomUUID(), clinic_id: clinicId, title: input.title.trim(), body: input.body, created_at: new Date().toISOString() };
  await db.insertInto('canned_replies').values(row).execute();
  return { id: row.id, title: row.title, body: row.body };
}

/** Removes a template of the clinic, or 404. */
export async function removeCannedReply(db: Kysely<Database>, clinicId: string, id: string): Promise<void> {
  const done = await db.deleteFrom('canned_replies').where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (Number(done.numDeletedRows) === 0) throw notFound('Reply template');
}
