/**
 * An appointment type may send a questionnaire when it is booked: the type names it and who chose it
 * (recorded as the assignment's author), and the assignment remembers the appointment it came from.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('booking_types').addColumn('questionnaire_id', 'text', (c) => c.references('questionnaires.id')).execute();
  await db.schema.alterTable('booking_types').addColumn('questionnaire_set_by', 'text', (c) => c.references('staff.id')).execute();
  await db.schema.alterTable('questionnaire_assignments').addColumn('appointment_id', 'text', (c) => c.references('appointments.id')).execute();
}
