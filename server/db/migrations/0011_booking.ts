/**
 * Self-booking: providers, appointment types, weekly hours (RRULE), exceptions, the clinic's booking
 * rules, appointments, and `appointment_slots`: one row per provider per occupied 5-minute unit
 * (buffers included) under a primary key, so the database itself refuses a double booking, also
 * between types of different lengths, on SQLite and PostgreSQL alike.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('booking_settings')
    .addColumn('clinic_id', 'text', (c) => c.primaryKey().references('clinics.id'))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('booking_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('staff_id', 'text', (c) => c.references('staff.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('feed_token_hash', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('booking_providers_clinic').on('booking_providers').columns(['clinic_id', 'name']).execute();

  await db.schema
    .createTable('booking_types')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('name_fr', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('in-person', 'phone', 'video')`))
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('buffer_before_minutes', 'integer', (c) => c.notNull())
    .addColumn('buffer_after_minutes', 'integer', (c) => c.notNull())
    .addColumn('existing_patients_only', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('provider_ids', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('booking_types_clinic').on('booking_types').columns(['clinic_id', 'created_at']).execute();

  await db.schema
    .createTable('booking_hours')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('booking_providers.id'))
    .addColumn('rrule', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('booking_hours_provider').on('booking_hours').columns(['clinic_id', 'provider_id']).execute();

  await db.schema
    .createTable('booking_exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('provider_id', 'text', (c) => c.references('booking_providers.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('booking_exceptions_range').on('booking_exceptions').columns(['clinic_id', 'ends_at']).execute();

  await db.schema
    .createTable('appointments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('booking_providers.id'))
    .addColumn('type_id', 'text', (c) => c.notNull().references('booking_types.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked', 'cancelled', 'no-show')`))
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('booked_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('appointments_patient').on('appointments').columns(['clinic_id', 'patient_id', 'starts_at']).execute();
  await db.schema.createIndex('appointments_day').on('appointments').columns(['clinic_id', 'starts_at']).execute();
  await db.schema.createIndex('appointments_provider').on('appointments').columns(['provider_id', 'starts_at']).execute();

  await db.schema
    .createTable('appointment_slots')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('booking_providers.id'))
    .addColumn('unit_start', 'text', (c) => c.notNull())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('appointment_id', 'text', (c) => c.notNull().references('appointments.id'))
    .addPrimaryKeyConstraint('appointment_slots_pk', ['provider_id', 'unit_start'])
    .execute();
  await db.schema.createIndex('appointment_slots_appointment').on('appointment_slots').column('appointment_id').execute();
}
