import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, newPage, startHarness, type Harness } from './harness.js';

describe('end to end: a new patient requests an appointment on the demo clinic site', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('offers a visitor a new patient\'s request only while a type is open to new patients (the demo opens its visit; the admin can close and reopen it), then the visitor requests a time in <sm-booking> and staff approve it on Booking requests (patient enrolled, confirmation with .ics)', async () => {
    const adminLogin = h.product.demoLogins!.find((l) => l.role === 'admin')!;
    const staff = await newPage(h.browser);
    await staff.goto(`${h.product.publicUrl}/admin/`);
    await staff.getByLabel('E-mail').fill(adminLogin.email);
    await staff.getByLabel('Password').fill(adminLogin.password);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('link', { name: 'Booking', exact: true }).click();
    const who = staff.getByLabel('Who may book Follow-up visit');
    assert.equal(await who.inputValue(), 'new', 'the demo seeds its visit open to new patients');
    const saved = async (existingOnly: number) => {
      for (let i = 0; i < 200; i++) {
        const type = await h.product.deps.db.selectFrom('booking_types').select('existing_patients_only').where('name_en', '=', 'Follow-up visit').executeTakeFirstOrThrow();
        if (Number(type.existing_patients_only) === existingOnly) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.fail(`"Who may book" was not saved as ${existingOnly ? 'existing' : 'new'}`);
    };

    // Kept to existing patients: the signed-out widget shows the sign-in alone.
    await who.selectOption('existing');
    await saved(1);
    const page = await newPage(h.browser);
    const frame = page.frameLocator('sm-booking iframe');
    const options = page.waitForResponse((r) => r.url().includes('/booking/options'));
    await page.goto(h.product.demoUrl!);
    await frame.getByRole('button', { name: 'E-mail me a code' }).waitFor();
    await options;
    await page.waitForTimeout(200);
    assert.equal(await frame.getByRole('button', { name: 'Request an appointment as a new patient' }).count(), 0);

    await who.selectOption('new');
    await saved(0);
    await page.reload();
    await frame.getByRole('button', { name: 'Request an appointment as a new patient' }).click();
    await frame.getByRole('heading', { name: 'Request an appointment (new patients)' }).waitFor();
    const first = frame.getByRole('listbox', { name: /Open times/ }).getByRole('option').first();
    const later = frame.getByRole('button', { name: 'Show that week' });
    await first.or(later).waitFor();
    if (await later.isVisible()) await later.click();
    await first.waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await first.focus();
    await page.keyboard.press('Enter');
    await frame.getByRole('button', { name: 'Continue with this time' }).click();
    await frame.getByRole('heading', { name: 'Your details' }).waitFor();
    await frame.getByRole('button', { name: 'Send the request' }).click();
    await frame.getByRole('alert').filter({ hasText: '3 fields need correcting.' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await frame.getByLabel('Full name').fill('Robin Gagnon');
    await frame.getByLabel('Date of birth').fill('1979-11-30');
    await frame.getByLabel('E-mail').fill('robin.gagnon@example.org');
    await frame.getByRole('button', { name: 'Send the request' }).click();
    await frame.getByRole('heading', { name: 'Request sent' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    const received = await h.smtp.take('robin.gagnon@example.org');
    assert.match(received.subject, /received your appointment request/);
    const stored = await h.product.deps.db.selectFrom('booking_requests').select('details_enc').executeTakeFirstOrThrow();
    assert.equal(stored.details_enc.includes('Robin'), false, 'sealed at rest');

    await staff.getByRole('link', { name: 'Booking requests' }).click();
    await staff.getByRole('heading', { name: 'Robin Gagnon' }).waitFor();
    assert.deepEqual(await axeViolations(staff), []);
    await staff.getByRole('button', { name: 'Approve the request of Robin Gagnon' }).click();
    await staff.getByRole('status').filter({ hasText: 'is booked for Robin Gagnon' }).waitFor();
    const confirmation = await h.smtp.take('robin.gagnon@example.org');
    assert.match(confirmation.subject, /is booked/);
    assert.ok(confirmation.attachments.some((a) => a.content.includes('BEGIN:VEVENT')));
    const patients = await h.product.deps.db.selectFrom('patients').select('id').execute();
    assert.ok(patients.length >= 2, 'the requester is now a patient of the clinic');
  });
});
