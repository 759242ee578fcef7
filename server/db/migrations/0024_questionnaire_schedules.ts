/**
 * Recurring questionnaires (remote monitoring): a schedule sends one assignment per period to one
 * patient until its end date or until staff stop it. Each assignment a schedule makes names its
 * schedule and period, unique together, so the database itself refuses a second send of a period,
 * whichever instance or restart tries it. Assignments may also ask for a reminder before they are due.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('questionnaire_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('questionnaire_id', 'text', (c) => c.notNull().references('questionnaires.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    // An RRULE over wall-clock times (rrule's floating convention) in `time_zone`.
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('due_days', 'integer')
    .addColumn('remind_days_before', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull().references('staff.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_period', 'text')
    .addColumn('stopped_at', 'text')
    .addColumn('stopped_by', 'text', (c) => c.references('staff.id'))
    .execute();
  await db.schema.createIndex('questionnaire_schedules_clinic').on('questionnaire_schedules').columns(['clinic_id', 'created_at']).execute();
  await db.schema.alterTable('questionnaire_assignments').addColumn('schedule_id', 'text', (c) => c.references('questionnaire_schedules.id')).execute();
  await db.schema.alterTable('questionnaire_assignments').addColumn('period', 'text').execute();
  await db.schema.alterTable('questionnaire_assignments').addColumn('remind_days_before', 'integer').execute();
  // One assignment per schedule and period (rows without a schedule have nulls, which never collide).
  await db.schema.createIndex('questionnaire_assignments_period').unique().on('questionnaire_assignments').columns(['schedule_id', 'period']).execute();
}
