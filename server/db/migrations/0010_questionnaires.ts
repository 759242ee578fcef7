/**
 * Questionnaires (FHIR R4): a clinic's questionnaires, each an unchanging series of published
 * versions (the FHIR JSON, not health information); assignments of one version to one patient; and
 * the patient's responses, each revision kept (an amendment is a new row), answers and scores sealed
 * with the clinic key.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('questionnaires')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('library_key', 'text')
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('questionnaires_clinic').on('questionnaires').columns(['clinic_id', 'updated_at']).execute();

  await db.schema
    .createTable('questionnaire_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('questionnaire_id', 'text', (c) => c.notNull().references('questionnaires.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.references('staff.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('questionnaire_versions_number', ['questionnaire_id', 'version'])
    .execute();

  await db.schema
    .createTable('questionnaire_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('questionnaire_id', 'text', (c) => c.notNull().references('questionnaires.id'))
    .addColumn('version_id', 'text', (c) => c.notNull().references('questionnaire_versions.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('assigned', 'in-progress', 'completed')`))
    .addColumn('due_date', 'text')
    .addColumn('assigned_by', 'text', (c) => c.notNull().references('staff.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('questionnaire_assignments_patient').on('questionnaire_assignments').columns(['clinic_id', 'patient_id', 'created_at']).execute();
  await db.schema.createIndex('questionnaire_assignments_questionnaire').on('questionnaire_assignments').columns(['clinic_id', 'questionnaire_id', 'created_at']).execute();

  await db.schema
    .createTable('questionnaire_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('assignment_id', 'text', (c) => c.notNull().references('questionnaire_assignments.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('version_id', 'text', (c) => c.notNull().references('questionnaire_versions.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('in-progress', 'completed', 'amended')`))
    .addColumn('answers_enc', 'text', (c) => c.notNull())
    .addColumn('result_enc', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addUniqueConstraint('questionnaire_responses_revision', ['assignment_id', 'revision'])
    .execute();
}
