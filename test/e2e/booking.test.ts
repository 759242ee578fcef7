import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { after, before, describe, it } from 'node:test';
import { codeFrom } from '../support/smtp.js';
import { DEMO_PATIENT } from '../../server/demo-seed.js';
import { axeViolations, newPage, startHarness, type Harness } from './harness.js';

describe('end to end: self-booking on the demo clinic site', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('lets the demo patient book an open time in <sm-booking>, e-mails the .ics, and shows it to staff on the Booking page, where staff move it and book for the patient in the Calendar', async () => {
    const page = await newPage(h.browser);
    await page.goto(h.product.demoUrl!);
    const frame = page.frameLocator('sm-booking iframe');
    await frame.getByLabel('E-mail address').fill(DEMO_PATIENT.email);
    await frame.getByRole('button', { name: 'E-mail me a code' }).click();
    await frame.getByLabel('6-digit code').fill(codeFrom(await h.smtp.take(DEMO_PATIENT.email)));
    await frame.getByLabel('Date of birth').fill(DEMO_PATIENT.dateOfBirth);
    await frame.getByRole('button', { name: 'Sign in' }).click();
    // The other widgets of the page follow the sign-in and change height, moving this frame under the
    // pointer: the patient uses the keyboard here (a click could land where the button was).
    await frame.getByRole('button', { name: 'I understand and agree' }).press('Enter');
    await frame.getByRole('button', { name: 'I understand and agree' }).waitFor({ state: 'detached' });

    // The demo clinic is seeded with a physician, a follow-up visit and weekday hours.
    const first = frame.getByRole('listbox', { name: /Open times/ }).getByRole('option').first();
    const later = frame.getByRole('button', { name: 'Show that week' });
    await first.or(later).waitFor();
    if (await later.isVisible()) await later.click();
    await first.waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await first.focus();
    await page.keyboard.press('Enter');
    await frame.getByRole('button', { name: 'Book this time' }).click();
    await frame.getByRole('status').filter({ hasText: 'Booked for' }).waitFor();
    await frame.getByText('Follow-up visit, Dr. Priya Shah').waitFor();
    const mail = await h.smtp.take(DEMO_PATIENT.email);
    assert.match(mail.subject, /is booked/);
    assert.ok(mail.attachments.some((a) => a.content.includes('BEGIN:VEVENT') && a.content.includes('TZID=America/Toronto')));

    // Wanting another visit sooner, the patient joins the waitlist (the next two weeks, any provider).
    await frame.getByRole('button', { name: 'Join the waitlist' }).click();
    const join = frame.getByRole('group', { name: /Join the waitlist for Follow-up visit/ });
    await join.getByRole('button', { name: 'Join the waitlist' }).click();
    await frame.getByRole('status').filter({ hasText: 'You are on the waitlist for Follow-up visit' }).waitFor();
    await frame.getByRole('button', { name: 'Leave the waitlist for Follow-up visit' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    const staffLogin = h.product.demoLogins!.find((l) => l.role === 'staff')!;
    const staff = await newPage(h.browser);
    await staff.goto(`${h.product.publicUrl}/admin/`);
    await staff.getByLabel('E-mail').fill(staffLogin.email);
    await staff.getByLabel('Password').fill(staffLogin.password);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('link', { name: 'Booking', exact: true }).click();
    await staff.getByRole('heading', { name: 'Appointments' }).waitFor();
    const booked = await h.product.deps.db.selectFrom('appointments').select('starts_at').executeTakeFirstOrThrow();
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(booked.starts_at));
    await staff.getByLabel('Day').fill(day);
    await staff.getByLabel('Day').dispatchEvent('change');
    await staff.getByRole('region', { name: 'Appointments' }).getByRole('cell', { name: DEMO_PATIENT.name, exact: true }).waitFor();
    // The waitlist, with the patient's entry.
    await staff.getByRole('region', { name: 'Waitlist' }).getByRole('cell', { name: DEMO_PATIENT.name, exact: true }).waitFor();
    assert.deepEqual(await axeViolations(staff), []);

    // The Calendar: the appointment in Dr. Shah's column; staff move it, then book another for the patient.
    await staff.getByRole('link', { name: 'Calendar' }).click();
    await staff.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
    await staff.getByLabel('Go to date').fill(day);
    await staff.getByLabel('Go to date').dispatchEvent('change');
    const appointment = staff.locator('table.calendar button.appt', { hasText: DEMO_PATIENT.name });
    await appointment.waitFor();
    assert.deepEqual(await axeViolations(staff), []);
    await appointment.focus();
    await staff.keyboard.press('Enter');
    const details = staff.getByRole('dialog', { name: 'Appointment' });
    await details.getByRole('button', { name: 'Move to another time' }).click();
    // The next weekday: the demo physician has open times then, whatever the hour this runs.
    let next = DateTime.fromISO(day, { zone: 'America/Toronto' }).plus({ days: 1 });
    while (next.weekday > 5) next = next.plus({ days: 1 });
    const other = next.toISODate()!;
    await details.getByLabel('Day').fill(other);
    await details.getByLabel('Day').dispatchEvent('change');
    await details.getByRole('group', { name: /^Open times/ }).getByRole('radio').first().check();
    await details.getByRole('button', { name: 'Move here' }).click();
    await staff.getByRole('status').filter({ hasText: `Moved: ${DEMO_PATIENT.name}` }).waitFor();
    // The e-mail saying so (the time it left is offered to the waitlist, this patient's entry included: another mail).
    await h.smtp.take(DEMO_PATIENT.email, 5000, /has moved/);
    const after = await h.product.deps.db.selectFrom('appointments').select(['starts_at', 'sequence']).executeTakeFirstOrThrow();
    assert.notEqual(after.starts_at, booked.starts_at);
    assert.equal(Number(after.sequence), 1);

    await staff.getByRole('button', { name: 'Book for a patient' }).click();
    const book = staff.getByRole('dialog', { name: 'Book for a patient' });
    await book.getByLabel(/Find a patient/).fill(DEMO_PATIENT.name.split(' ')[0]!);
    await book.getByRole('button', { name: new RegExp(`Choose ${DEMO_PATIENT.name}`) }).click();
    await book.getByLabel('Day').fill(other);
    await book.getByLabel('Day').dispatchEvent('change');
    await book.getByRole('group', { name: /^Open times/ }).getByRole('radio').first().check();
    await book.getByRole('button', { name: 'Book', exact: true }).click();
    await staff.getByRole('status').filter({ hasText: `Booked: ${DEMO_PATIENT.name}` }).waitFor();
    await h.smtp.take(DEMO_PATIENT.email, 5000, /is booked/);
    assert.equal((await h.product.deps.db.selectFrom('appointments').select('id').where('status', '=', 'booked').execute()).length, 2);
    await staff.getByLabel('Go to date').fill(other);
    await staff.getByLabel('Go to date').dispatchEvent('change');
    await staff.locator('table.calendar button.appt', { hasText: DEMO_PATIENT.name }).nth(1).waitFor();
    assert.equal(await staff.locator('table.calendar button.appt', { hasText: DEMO_PATIENT.name }).count(), 2);
  });
});
