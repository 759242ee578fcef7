/**
 * Booking requests from new patients: a visitor who is not yet a patient asks for a slot of a type
 * open to new patients; the clinic approves (enrols or links the patient and books) or declines.
 * The requester's details are sealed like patient details (`details_enc`); only keyed hashes of the
 * e-mail and health number are kept in the clear, to link an existing patient without decrypting.
 * A pending request holds its time (`busy_from`–`busy_to`) until `hold_expires_at`.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('booking_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('type_id', 'text', (c) => c.notNull().references('booking_types.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('booking_providers.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('busy_from', 'text', (c) => c.notNull())
    .addColumn('busy_to', 'text', (c) => c.notNull())
    .addColumn('hold_expires_at', 'text', (c) => c.notNull())
    .addColumn('details_enc', 'text', (c) => c.notNull())
    .addColumn('email_index', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'approved', 'declined')`))
    .addColumn('patient_id', 'text', (c) => c.references('patients.id'))
    .addColumn('appointment_id', 'text', (c) => c.references('appointments.id'))
    .addColumn('decided_by', 'text', (c) => c.references('staff.id'))
    .addColumn('decline_message_enc', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('booking_requests_list').on('booking_requests').columns(['clinic_id', 'status', 'created_at']).execute();
  await db.schema.createIndex('booking_requests_held').on('booking_requests').columns(['clinic_id', 'provider_id', 'status', 'busy_from']).execute();
}
