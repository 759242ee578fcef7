/**
 * The demo clinic, created on the first start of an empty database so an evaluator has something to
 * sign in to. Its staff get fresh random passwords at every start, printed to the console.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from './deps.js';
import { allowedOrigins, clinicCipher, createClinic } from './domain/clinics.js';
import { enrolPatient } from './domain/patients.js';
import { addFromLibrary } from './domain/questionnaires.js';
import { createStaff, updateStaff } from './domain/staff.js';
import { addHours, addProvider, addType } from './domain/booking/setup.js';

export const DEMO_SLUG = 'demo';
export const DEMO_PATIENT = { name: 'Alex Tremblay', email: 'alex.tremblay@example.com', dateOfBirth: '1984-03-09' };
const DEMO_STAFF = [
  { name: 'Dana Admin', email: 'admin@demo.clinic', role: 'admin' },
  { name: 'Dr. Priya Shah', email: 'physician@demo.clinic', role: 'physician' },
  { name: 'Sam Reception', email: 'staff@demo.clinic', role: 'staff' },
] as const;

/** A sign-in to print. */
export interface DemoLogin {
  role: string;
  email: string;
  password: string;
}

function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Creates the demo clinic if the database has no clinic yet, makes sure the demo site's origin may
 * embed it, and gives its staff new passwords. Returns null when the demo clinic does not exist
 * (a real clinic's database is never touched).
 */
export async function prepareDemo(deps: Deps, demoOrigin: string): Promise<DemoLogin[] | null> {
  const { db, keyring } = deps;
  let clinic = await db.selectFrom('clinics').selectAll().where('slug', '=', DEMO_SLUG).executeTakeFirst();
  if (!clinic) {
    const anyClinic = await db.selectFrom('clinics').select('id').executeTakeFirst();
    if (anyClinic) return null;
    clinic = await createClinic(db, keyring, { slug: DEMO_SLUG, name: 'Maple Grove Family Health', allowedOrigins: [demoOrigin] });
    for (const s of DEMO_STAFF) await createStaff(db, clinic.id, { ...s, password: randomPassword() + randomPassword() });
    await enrolPatient(db, clinicCipher(keyring, clinic), { ...DEMO_PATIENT, lang: 'en' });
  }
  // The library's instruments, ready to assign (added once; kept as the clinic changed them).
  const system = { kind: 'system' as const, clinicId: clinic.id };
  for (const key of ['phq-9', 'gad-7']) await addFromLibrary({ db, store: deps, requestId: null, cipher: clinicCipher(keyring, clinic) }, system, key);
  await seedDemoBooking(deps, clinic.id);
  const origins = allowedOrigins(clinic);
  if (!origins.includes(demoOrigin)) {
    await db.updateTable('clinics').set({ allowed_origins: JSON.stringify([...origins, demoOrigin]) }).where('id', '=', clinic.id).execute();
  }
  const logins: DemoLogin[] = [];
  for (const s of DEMO_STAFF) {
    const row = await db.selectFrom('staff').select('id').where('email', '=', s.email).where('clinic_id', '=', clinic.id).executeTakeFirst();
    if (!row) continue;
    const password = randomPassword();
    await updateStaff(deps, { kind: 'system', clinicId: clinic.id }, clinic.id, row.id, { password, disabled: false });
    logins.push({ role: s.role, email: s.email, password });
  }
  return logins;
}

/**
 * Self-booking on the demo: the physician, a 15-minute follow-up open to new patients too (so the demo
 * shows their requests as well as patients' own bookings), weekday hours (once, when the clinic has no provider).
 */
async function seedDemoBooking(deps: Deps, clinicId: string): Promise<void> {
  const any = await deps.db.selectFrom('booking_providers').select('id').where('clinic_id', '=', clinicId).executeTakeFirst();
  if (any) return;
  const physician = await deps.db.selectFrom('staff').select(['id', 'name']).where('clinic_id', '=', clinicId).where('role', '=', 'physician').executeTakeFirst();
  const provider = await addProvider(deps.db, clinicId, { name: physician?.name ?? 'Dr. Priya Shah', staffId: physician?.id ?? null });
  await addType(deps.db, clinicId, {
    name: { en: 'Follow-up visit', fr: 'Visite de suivi' },
    durationMinutes: 15,
    mode: 'in-person',
    location: '100 Maple Grove Rd, Toronto',
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 5,
    existingPatientsOnly: false,
    providerIds: [],
    active: true,
  }, null);
  await addHours(deps.db, clinicId, { providerId: provider.id, days: ['MO', 'TU', 'WE', 'TH', 'FR'], start: '09:00', end: '12:00' });
  await addHours(deps.db, clinicId, { providerId: provider.id, days: ['MO', 'WE'], start: '13:00', end: '16:00' });
}
