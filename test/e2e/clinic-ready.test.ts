/**
 * Issue 12 (Clinic-ready), patient side, end to end on the demo clinic's site (another origin): a
 * French patient reads the server's refusals in French, and the widgets of one page share one sign-in.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { codeFrom } from '../support/smtp.js';
import { DEMO_PATIENT, DEMO_SLUG } from '../../server/demo-seed.js';
import { DEFAULT_MESSAGING, saveMessagingSettings } from '../../server/domain/messaging-settings.js';
import { axeViolations, chooseCategory, newPage, patientSignsIn, startHarness, type Harness } from './harness.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as typeof DEFAULT_MESSAGING.hours;

/** The demo patient signs in on the French page, in French. */
async function patientSignsInFrench(h: Harness, page: Page): Promise<FrameLocator> {
  await page.goto(`${h.product.demoUrl}/fr/`);
  // The clinic's own page is French too, so a screen reader reads all of it in one language.
  await page.getByRole('heading', { level: 1, name: 'Joindre votre équipe de soins' }).waitFor();
  const frame = page.frameLocator('sm-messages iframe');
  await frame.getByLabel('Adresse courriel').fill(DEMO_PATIENT.email);
  for (let i = h.smtp.messages.length - 1; i >= 0; i--) if (h.smtp.messages[i]!.to === DEMO_PATIENT.email) h.smtp.messages.splice(i, 1);
  await frame.getByRole('button', { name: 'Recevoir un code par courriel' }).click();
  await frame.getByLabel('Code à 6 chiffres').fill(codeFrom(await h.smtp.take(DEMO_PATIENT.email)));
  await frame.getByLabel('Date de naissance').fill(DEMO_PATIENT.dateOfBirth);
  await frame.getByRole('button', { name: 'Se connecter' }).click();
  const consent = frame.getByRole('button', { name: 'Je comprends et j’accepte' }).or(frame.getByRole('button', { name: "Je comprends et j'accepte" }));
  await Promise.race([consent.click(), frame.getByRole('button', { name: 'Nouveau message' }).waitFor()]).catch(() => undefined);
  await frame.getByRole('button', { name: 'Nouveau message' }).waitFor();
  return frame;
}

/** Whether `locator`'s element has focus inside its own (shadow) root. */
const focused = (frame: FrameLocator, label: string) => frame.getByLabel(label, { exact: true }).evaluate((el) => (el.getRootNode() as ShadowRoot | Document).activeElement === el);

describe('end to end: clinic-ready patient side', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const clinic = await h.product.deps.db.selectFrom('clinics').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirstOrThrow();
    await saveMessagingSettings(h.product.deps.db, clinic.id, { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, subjectRequired: true, weeklyThreadQuota: 1 });
  });
  after(() => h?.close());

  it('a French patient reads refusals in French: a missing subject (said before sending), then the server’s weekly limit', async () => {
    const page = await newPage(h.browser, { locale: 'fr-CA' });
    const frame = await patientSignsInFrench(h, page);
    await frame.getByRole('button', { name: 'Nouveau message' }).click();
    await frame.getByRole('heading', { name: 'Nouveau message' }).waitFor();

    // The subject sits in another form than the text: the frame checks the clinic's rule before sending.
    await frame.getByLabel('Votre message').fill('Bonjour, une question sur mon ordonnance.');
    await frame.getByRole('button', { name: 'Envoyer' }).click();
    await frame.getByText('Cette clinique demande un objet. Ajoutez-en un, puis envoyez de nouveau.').waitFor();
    assert.equal(await frame.getByText('This clinic asks for a subject').count(), 0, 'never the server’s English');
    assert.equal(await focused(frame, 'Objet'), true, 'focus on the field to fix');
    assert.equal(await frame.getByLabel('Objet', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axeViolations(page), []);

    await frame.getByLabel('Objet', { exact: true }).fill('Ordonnance');
    // Typing in the field takes its error away: the subject is in before "Envoyer" (else the same refusal would come back).
    await frame.getByText('Cette clinique demande un objet.').waitFor({ state: 'detached' });
    assert.equal(await frame.getByLabel('Votre message').inputValue(), 'Bonjour, une question sur mon ordonnance.', 'the text is still there');
    // The category starts on "Choose": sending without one is refused at that field, in French.
    await frame.getByRole('button', { name: 'Envoyer' }).click();
    await frame.getByText('Choisissez une catégorie pour votre message.').waitFor();
    const category = frame.getByRole('combobox', { name: 'Catégorie' });
    assert.equal(await category.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el), true, 'focus on the category');
    assert.equal(await category.getAttribute('aria-invalid'), 'true');
    // Before writing, the patient sees how many new conversations are left this week.
    await frame.getByText('Vous pouvez encore commencer 1 nouvelle conversation cette semaine.').waitFor();
    await chooseCategory(frame, { lang: 'fr' });
    await frame.getByRole('button', { name: 'Envoyer' }).click();
    await frame.getByRole('status').filter({ hasText: 'Message envoyé.' }).waitFor();

    await frame.getByRole('button', { name: 'Retour aux conversations' }).click();
    await frame.getByText(/^Vous avez commencé toutes les nouvelles conversations que cette clinique accepte cette semaine\./).first().waitFor();
    await frame.getByRole('button', { name: 'Nouveau message' }).click();
    await frame.getByLabel('Objet', { exact: true }).fill('Autre chose');
    await chooseCategory(frame, { lang: 'fr' });
    await frame.getByLabel('Votre message').fill('Une deuxième question.');
    await frame.getByRole('button', { name: 'Envoyer' }).click();
    const refusal = frame.getByRole('alert').filter({ hasText: 'Vous pouvez commencer 1 nouvelle conversation par semaine avec cette clinique.' });
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /Vous pourrez en commencer une autre à partir du \p{L}+ \d{1,2} \p{L}+ à \d{1,2} h \d{2}/u);
    assert.equal(await frame.getByLabel('Votre message').inputValue(), 'Une deuxième question.', 'the text is kept');
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });

  it('reflows at 320 CSS px: the messages frame never scrolls sideways (sign-in, list, new message, emergency notice, conversation)', async () => {
    // A conversation the clinic started, to open at the end (the weekly limit is the patient's own).
    const staff = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const login = await fetch(`${h.product.publicUrl}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: h.product.publicUrl }, body: JSON.stringify({ email: staff.email, password: staff.password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const clinic = await h.product.deps.db.selectFrom('clinics').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirstOrThrow();
    const patient = await h.product.deps.db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow();
    const started = await fetch(`${h.product.publicUrl}/api/threads`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: h.product.publicUrl, cookie },
      body: JSON.stringify({ id: randomUUID(), patientId: patient.id, subject: 'Vos résultats de laboratoire et la suite', category: 'results', body: `Bonjour, voici le lien : https://example.ca/${'x'.repeat(80)}`, patientMayReply: true }),
    });
    assert.equal(started.status, 201);

    const page = await newPage(h.browser);
    await page.setViewportSize({ width: 320, height: 800 });
    const widths: string[] = [];
    const measure = async (screen: string) => {
      const f = page.frames().find((fr) => fr.url().includes('/frame/messages'))!;
      const { scroll, client } = await f.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      assert.ok(client >= 240 && client <= 320, `${screen}: the frame is ${client} px wide`);
      assert.ok(scroll <= client, `${screen}: scrollWidth ${scroll} in ${client}`);
      widths.push(screen);
    };
    await page.goto(h.product.demoUrl!);
    await page.frameLocator('sm-messages iframe').getByLabel('E-mail address').waitFor();
    await measure('sign-in');
    const frame = await patientSignsIn(h, page);
    await measure('list');
    await frame.getByRole('button', { name: 'New message' }).click();
    await frame.getByLabel('Your message').waitFor();
    await measure('new message');
    await frame.getByLabel('Your message').fill('I have chest pain and I feel short of breath.');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('button', { name: 'Edit my message' }).waitFor();
    await measure('emergency notice');
    await frame.getByRole('button', { name: 'Back to conversations' }).click();
    await frame.getByRole('button', { name: /Vos résultats de laboratoire/ }).click();
    await frame.getByRole('heading', { name: 'Vos résultats de laboratoire et la suite' }).waitFor();
    await measure('conversation');
    assert.equal(widths.length, 5);
    await page.context().close();
  });

  it('two widgets on one page share the sign-in: signing out in one shows the other signed out, without a false banner', async () => {
    const page = await newPage(h.browser);
    const messages = await patientSignsIn(h, page);
    const booking = page.frameLocator('sm-booking iframe');
    await booking.getByText(`Signed in as ${DEMO_PATIENT.name}`).waitFor();

    await messages.getByRole('button', { name: 'Sign out' }).click();
    await messages.getByRole('button', { name: 'E-mail me a code' }).waitFor();
    await booking.getByRole('button', { name: 'E-mail me a code' }).waitFor();
    assert.equal(await booking.getByText(`Signed in as ${DEMO_PATIENT.name}`).count(), 0);
    assert.equal(await booking.getByText('This page was updated in another tab').count(), 0, 'no false "updated in another tab" banner');
    assert.equal(await page.frameLocator('sm-questionnaire iframe').getByText('Signed in as').count(), 0);
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });
});
