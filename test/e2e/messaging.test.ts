import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codeFrom } from '../support/smtp.js';
import type { Harness } from './harness.js';
import { DEMO_PATIENT, DEMO_SLUG } from '../../server/demo-seed.js';
import { DEFAULT_MESSAGING, saveMessagingSettings } from '../../server/domain/messaging-settings.js';
import { axeViolations, chooseCategory, newPage, patientSignsIn, startHarness } from './harness.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as typeof DEFAULT_MESSAGING.hours;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('end to end: secure messaging between a patient on the clinic site and the clinic', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const clinic = await h.product.deps.db.selectFrom('clinics').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirstOrThrow();
    await saveMessagingSettings(h.product.deps.db, clinic.id, { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, maxChars: 200, maxWords: null });
  });
  after(() => h?.close());

  it('patient writes within the limits, staff reply with a PDF, the patient sees it live and downloads it', async () => {
    const patient = await newPage(h.browser);
    const frame = await patientSignsIn(h, patient);
    await frame.getByRole('button', { name: 'New message' }).click();
    await frame.getByText('The clinic answers within 2 business days.').waitFor();
    await frame.getByText('Not for emergencies: call 911').first().waitFor();
    assert.deepEqual(await axeViolations(patient), []);

    await frame.getByLabel('Subject').fill('Prescription renewal');
    await chooseCategory(frame, { name: 'Prescription renewal' });
    const tooLong = `Please renew my blood pressure prescription. ${'x'.repeat(200)}`;
    await frame.getByLabel('Your message').fill(tooLong);
    await frame.getByText(/of 200 characters/).waitFor();
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('alert').filter({ hasText: 'over the clinic’s limit' }).waitFor();
    assert.equal(await frame.getByLabel('Your message').inputValue(), tooLong, 'the text is kept');

    await frame.getByLabel('Your message').fill('Please renew my blood pressure prescription.');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('status').filter({ hasText: 'Message sent.' }).waitFor();
    await frame.getByRole('heading', { name: 'Prescription renewal' }).waitFor();
    assert.deepEqual(await axeViolations(patient), []);

    const admin = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const staff = await newPage(h.browser);
    await staff.goto(`${h.product.publicUrl}/admin/`);
    await staff.getByLabel('E-mail').fill(admin.email);
    await staff.getByLabel('Password').fill(admin.password);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('heading', { name: 'Inbox' }).waitFor();
    const conversations = staff.getByRole('list', { name: 'Conversations' });
    await conversations.getByText(DEMO_PATIENT.name).first().waitFor();
    await staff.getByText(/left$/).first().waitFor();
    assert.deepEqual(await axeViolations(staff), []);
    // Search inside message text (a keyed word index on the server), applied while typing.
    const search = staff.getByLabel('Search in messages');
    await search.fill('metformin');
    await staff.getByText('No conversations match.').waitFor();
    await search.fill('blood PRESSURE');
    await conversations.getByRole('link', { name: /Prescription renewal/ }).waitFor();
    await staff.getByRole('link', { name: /Prescription renewal/ }).click();
    await staff.getByText('Please renew my blood pressure prescription.').waitFor();
    await staff.getByLabel('Reply to the patient').fill('Renewed. A requisition for your blood test is attached.');
    await staff.getByLabel('Attach files (PDF, JPEG, PNG)').setInputFiles({ name: 'requisition.pdf', mimeType: 'application/pdf', buffer: PDF });
    await staff.getByRole('button', { name: 'Send to patient' }).click();
    await staff.getByRole('status').filter({ hasText: 'Message sent.' }).waitFor();
    assert.deepEqual(await axeViolations(staff), []);

    // No reload on the patient's side: the reply arrives over the live connection.
    await frame.getByText('Renewed. A requisition for your blood test is attached.').waitFor();
    // The patient has the conversation open, so the reply is seen: staff read the receipt on their next load.
    await staff.reload();
    await staff.getByText(/^Seen by the patient /).waitFor();
    const downloadStarted = patient.waitForEvent('download');
    await frame.getByRole('button', { name: 'Download requisition.pdf' }).click();
    const download = await downloadStarted;
    const chunks: Buffer[] = [];
    for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), PDF);

    // Staff elsewhere in the admin are told live that a patient wrote.
    await staff.getByRole('link', { name: 'Patients' }).click();
    await staff.getByRole('heading', { name: 'Patients' }).waitFor();
    await frame.getByLabel('Your reply').fill('Thank you!');
    await frame.getByRole('button', { name: 'Send' }).click();
    await staff.getByRole('link', { name: /Inbox 1 new/ }).waitFor();

    const mail = await h.smtp.take(DEMO_PATIENT.email);
    assert.match(mail.subject, /new secure message/);
    assert.equal(mail.text.includes('Renewed'), false);

    // The clinic writes first: one patient picker, a category to choose, "Message".
    await staff.getByRole('link', { name: 'Inbox' }).click();
    await staff.getByRole('link', { name: 'Message a patient' }).click();
    await staff.getByRole('heading', { name: 'Message a patient' }).waitFor();
    await staff.getByLabel(/^Patient: search/).fill(DEMO_PATIENT.name.split(' ')[0]!);
    await staff.getByRole('button', { name: new RegExp(`^Choose ${DEMO_PATIENT.name}`) }).click();
    await staff.getByLabel('Subject').fill('Your blood test');
    await staff.getByLabel('Category').selectOption({ label: 'Test results' });
    await staff.getByLabel('Your message to the patient').fill('Your blood test is normal.');
    assert.deepEqual(await axeViolations(staff), []);
    await staff.getByRole('button', { name: 'Message', exact: true }).click();
    await staff.getByRole('heading', { name: 'Your blood test' }).waitFor();
    await staff.getByText('Your blood test is normal.').waitFor();
    const notice = await h.smtp.take(DEMO_PATIENT.email);
    assert.match(notice.subject, /new secure message/);
    assert.equal(notice.text.includes('blood test'), false, 'no content in the notice');

    await staff.getByLabel('Language').selectOption('fr');
    await staff.getByRole('link', { name: 'Boîte de réception' }).click();
    await staff.getByRole('heading', { name: 'Boîte de réception' }).waitFor();
    assert.deepEqual(await axeViolations(staff), []);
    await patient.context().close();
    await staff.context().close();
  });

  it('flags to staff a message the patient sent past the emergency notice, in the inbox row and the conversation', async () => {
    const patient = await newPage(h.browser);
    const frame = await patientSignsIn(h, patient);
    await frame.getByRole('button', { name: 'New message' }).click();
    await frame.getByLabel('Subject').fill('Since this morning');
    await chooseCategory(frame);
    await frame.getByLabel('Your message').fill('My chest hurts a little when I climb stairs.');
    await frame.getByRole('button', { name: 'Send' }).click();
    const notice = frame.getByRole('alert').filter({ hasText: 'Is this an emergency?' });
    await notice.waitFor();
    const hasFocus = (el: Element) => (el.getRootNode() as ShadowRoot | Document).activeElement === el;
    assert.equal(await notice.evaluate(hasFocus), true, 'focus on the notice');
    assert.deepEqual(await axeViolations(patient), []);
    await frame.getByRole('button', { name: 'Edit my message' }).click();
    assert.equal(await frame.getByLabel('Your message').evaluate(hasFocus), true, '"Edit my message": focus back to the text');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('button', { name: 'It is not an emergency: send' }).click();
    await frame.getByRole('status').filter({ hasText: 'Message sent.' }).waitFor();

    const physician = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const staff = await newPage(h.browser);
    await staff.goto(`${h.product.publicUrl}/admin/`);
    await staff.getByLabel('E-mail').fill(physician.email);
    await staff.getByLabel('Password').fill(physician.password);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('heading', { name: 'Inbox' }).waitFor();
    const conversations = staff.getByRole('list', { name: 'Conversations' });
    const row = conversations.getByRole('listitem').filter({ hasText: 'Since this morning' });
    await row.getByText('Sent despite the emergency notice').waitFor();
    const others = conversations.getByRole('listitem').filter({ has: staff.getByRole('link', { name: /Prescription renewal/ }) });
    assert.equal(await others.getByText('Sent despite the emergency notice').count(), 0, 'only where the patient overrode it');
    await row.getByRole('link', { name: /Since this morning/ }).click();
    await staff.getByText('The patient was asked whether this was an emergency and chose to send anyway').waitFor();
    assert.deepEqual(await axeViolations(staff), []);
    await patient.context().close();
    await staff.context().close();
  });

  it('shows the expectations in French too', async () => {
    const page = await newPage(h.browser, { locale: 'fr-CA' });
    await page.goto(`${h.product.demoUrl}/fr/`);
    const frame = page.frameLocator('sm-messages iframe');
    await frame.getByLabel('Adresse courriel').fill(DEMO_PATIENT.email);
    await frame.getByRole('button', { name: 'Recevoir un code par courriel' }).click();
    await frame.getByLabel('Code à 6 chiffres').fill(codeFrom(await h.smtp.take(DEMO_PATIENT.email)));
    await frame.getByLabel('Date de naissance').fill(DEMO_PATIENT.dateOfBirth);
    await frame.getByRole('button', { name: 'Se connecter' }).click();
    await frame.getByRole('button', { name: 'Nouveau message' }).click();
    await frame.getByText('La clinique répond dans un délai de 2 jours ouvrables.').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });
});
