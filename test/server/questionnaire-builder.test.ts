import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { assertR4 } from '../support/fhir-r4.js';
import type { Questionnaire } from '@medplum/fhirtypes';
import { conditionQuestions, draftProblems, emptyDraft, fromFhir, moveBy, moveIntoPrevious, newItem, toFhir, type Draft, type DraftItem, type ItemType } from '../../admin/questionnaires/builder-model.js';
import { LIBRARY } from '../../server/domain/questionnaire-library.js';
import { codingDisplay, enabledLinkIds, itemText, itemUnit, questionnaireTitle } from '../../shared/questionnaire-logic.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

/** A questionnaire as the builder makes it: every item type, EN/FR text, limits, help, conditions, a repeating group. */
function builtDraft(): Draft {
  let n = 0;
  const key = () => `k${++n}`;
  const draft: Draft = { ...emptyDraft(), title: 'Intake', titleFr: 'Accueil', description: 'Before your visit', descriptionFr: 'Avant votre visite' };
  const add = (type: ItemType, patch: Partial<DraftItem>, into?: DraftItem): DraftItem => {
    const item = { ...newItem(draft, type, key()), ...patch };
    if (into) into.children.push(item);
    else draft.items.push(item);
    return item;
  };
  add('display', { text: 'Please answer honestly.', textFr: 'Répondez franchement.' });
  const smoker = add('boolean', { linkId: 'smoker', text: 'Do you smoke?', textFr: 'Fumez-vous?', required: true });
  add('integer', { linkId: 'cigs', text: 'Cigarettes a day', textFr: 'Cigarettes par jour', minValue: '1', maxValue: '100', enableWhen: [{ question: smoker.linkId, operator: '=', answer: 'true' }] });
  add('choice', {
    linkId: 'symptoms', text: 'Symptoms', textFr: 'Symptômes', repeats: true,
    options: [{ code: 'cough', display: 'Cough', displayFr: 'Toux', coding: {}, option: {} }, { code: 'fever', display: 'Fever', displayFr: 'Fièvre', coding: {}, option: {} }],
  });
  add('open-choice', { linkId: 'allergy', text: 'Allergy', textFr: 'Allergie', maxLength: '80', options: [{ code: 'pen', display: 'Penicillin', displayFr: 'Pénicilline', coding: {}, option: {} }] });
  add('string', { linkId: 'name', text: 'Preferred name', textFr: 'Nom préféré', minLength: '2', maxLength: '40', help: 'As you like to be called', helpFr: 'Comme vous aimez qu’on vous appelle' });
  add('text', { linkId: 'notes', text: 'Anything else?', textFr: 'Autre chose?' });
  add('decimal', { linkId: 'temp', text: 'Temperature', textFr: 'Température', minValue: '34,5', maxValue: '43', enableWhen: [{ question: 'symptoms', operator: '=', answer: 'fever' }, { question: 'cigs', operator: '>=', answer: '5' }], enableBehavior: 'any' });
  add('date', { linkId: 'since', text: 'Since when?', textFr: 'Depuis quand?', maxValue: '2030-01-01', enableWhen: [{ question: 'notes', operator: 'exists', answer: 'true' }] });
  add('dateTime', { linkId: 'last', text: 'Last dose', textFr: 'Dernière dose' });
  add('quantity', { linkId: 'weight', text: 'Weight', textFr: 'Poids', unitCode: 'kg', unitDisplay: 'kg', minValue: '1' });
  add('attachment', { linkId: 'photo', text: 'Photo of the rash', textFr: 'Photo de l’éruption' });
  const meds = add('group', { linkId: 'meds', text: 'Medications', textFr: 'Médicaments', repeats: true });
  add('string', { linkId: 'med', text: 'Medication', textFr: 'Médicament', required: true }, meds);
  add('quantity', { linkId: 'dose', text: 'Dose', textFr: 'Dose', unitCode: 'mg', unitDisplay: 'mg' }, meds);
  const times = add('group', { linkId: 'times', text: 'When you take it', textFr: 'Quand vous le prenez', repeats: true }, meds);
  add('string', { linkId: 'time', text: 'Time of day', textFr: 'Moment de la journée', enableWhen: [{ question: 'med', operator: 'exists', answer: 'true' }] }, times);
  return draft;
}

describe('questionnaire builder model', () => {
  it('makes valid FHIR R4 with French in the translation extension, limits, help, unit and typed enableWhen answers', () => {
    const draft = builtDraft();
    assert.deepEqual(draftProblems(draft), []);
    const q = toFhir(draft);
    assertR4(q, 'the built questionnaire');
    assert.equal(questionnaireTitle(q, 'fr'), 'Accueil');
    const byId = new Map((function flat(items = q.item ?? []): Array<[string, NonNullable<Questionnaire['item']>[number]]> { return items.flatMap((i) => [[i.linkId, i] as [string, typeof i], ...flat(i.item ?? [])]); })());
    assert.equal(itemText(byId.get('smoker')!, 'fr'), 'Fumez-vous?');
    assert.equal(codingDisplay(byId.get('symptoms')!.answerOption![1]!.valueCoding!, 'fr'), 'Fièvre');
    assert.deepEqual(byId.get('cigs')!.enableWhen, [{ question: 'smoker', operator: '=', answerBoolean: true }]);
    assert.deepEqual(byId.get('temp')!.enableWhen, [{ question: 'symptoms', operator: '=', answerCoding: { code: 'fever' } }, { question: 'cigs', operator: '>=', answerInteger: 5 }]);
    assert.equal(byId.get('temp')!.enableBehavior, 'any');
    assert.deepEqual(byId.get('temp')!.extension, [{ url: 'http://hl7.org/fhir/StructureDefinition/minValue', valueDecimal: 34.5 }, { url: 'http://hl7.org/fhir/StructureDefinition/maxValue', valueDecimal: 43 }]);
    assert.equal(byId.get('name')!.maxLength, 40);
    assert.equal(itemText(byId.get('name-help')!, 'fr'), 'Comme vous aimez qu’on vous appelle');
    assert.equal(itemUnit(byId.get('weight')!)?.code, 'kg');
    // The shared rules (the patient's frame and the server) read the conditions as written.
    assert.ok(!enabledLinkIds(q.item, {}).has('cigs'));
    assert.ok(enabledLinkIds(q.item, { smoker: [{ valueBoolean: true }] }).has('cigs'));
    assert.ok(enabledLinkIds(q.item, { symptoms: [{ valueCoding: { code: 'fever' } }] }).has('temp'));
  });

  it('reads its own output back unchanged, and keeps what it does not edit (a library item’s scores)', () => {
    const q = toFhir(builtDraft());
    let n = 0;
    assert.deepEqual(toFhir(fromFhir(q, () => `r${++n}`)), q);
    const scored: Questionnaire = {
      resourceType: 'Questionnaire', status: 'active', title: 'Scored', code: [{ system: 'http://loinc.org', code: '44249-1' }],
      item: [{ linkId: 'a', type: 'choice', text: 'A', answerOption: [{ valueCoding: { system: 'http://loinc.org', code: 'LA6568-5', display: 'Not at all' }, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/ordinalValue', valueDecimal: 0 }] }] }],
    };
    assert.deepEqual(toFhir(fromFhir(scored, () => `s${++n}`)), scored);
  });

  it('opens every library instrument and writes it back unchanged (scores, codes, expressions kept)', () => {
    let n = 0;
    for (const [key, q] of Object.entries(LIBRARY)) assert.deepEqual(toFhir(fromFhir(q, () => `l${++n}`)), q, key);
  });

  it('finds what the server would refuse before sending it', () => {
    const draft = builtDraft();
    draft.title = '';
    draft.items[1] = { ...draft.items[1]!, linkId: 'cigs' };
    const codes = draftProblems(draft).map((p) => p.code);
    assert.ok(codes.includes('titleMissing'));
    assert.ok(codes.includes('linkIdTwice'));
  });

  it('offers a condition only the questions the patient answers where the item is, and refuses repeating groups three deep', () => {
    const draft = builtDraft();
    const key = (linkId: string) => [draft.items, ...draft.items.map((i) => i.children), ...draft.items.flatMap((i) => i.children.map((c) => c.children))].flat().find((i) => i.linkId === linkId)!.key;
    const offered = (linkId: string) => conditionQuestions(draft.items, key(linkId)).map((q) => q.linkId);
    assert.ok(offered('time').includes('med'), 'a time of one medication may look at that medication');
    assert.ok(offered('time').includes('smoker'), 'and at the questionnaire');
    assert.ok(!offered('notes').includes('time') && !offered('notes').includes('med'), 'not the other way');
    assert.ok(!offered('med').includes('time'), 'nor a medication at one of its times');
    draft.items.find((i) => i.linkId === 'notes')!.enableWhen = [{ question: 'time', operator: 'exists', answer: 'true' }];
    assert.deepEqual(draftProblems(draft).map((p) => p.code), ['conditionScope']);
    draft.items.find((i) => i.linkId === 'notes')!.enableWhen = [];
    const times = draft.items.find((i) => i.linkId === 'meds')!.children.find((i) => i.linkId === 'times')!;
    times.children.push({ ...newItem(draft, 'group', 'deep'), linkId: 'deep', text: 'Deeper', repeats: true, children: [{ ...newItem(draft, 'string', 'deeper'), linkId: 'x', text: 'x' }] });
    assert.deepEqual(draftProblems(draft), [{ key: 'deep', field: 'children', code: 'repeatTooDeep' }]);
  });
});

for (const d of DIALECTS) {
  describe(`questionnaire builder round trip (${d.name})`, { skip: d.skip }, () => {
    it('publishes a built questionnaire, reads it back the same, and an edit is a new version while an earlier assignment keeps its own', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const physician = await staffCookie(ctx.app, 'physician@north.test');
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const built = toFhir(builtDraft());
      const created = await call(ctx.app, 'POST', '/api/questionnaires', { cookie: physician, body: built });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().questionnaire.id as string;
      assert.equal(created.json().questionnaire.titleFr, 'Accueil');

      const detail = (await call(ctx.app, 'GET', `/api/questionnaires/${id}`, { cookie: physician })).json();
      assertR4(detail.resource, 'the stored questionnaire');
      let n = 0;
      const draft = fromFhir(detail.resource as Questionnaire, () => `k${++n}`);
      assert.deepEqual(toFhir(draft), built, 'the builder opens what it published unchanged');

      const [assignmentId] = (await call(ctx.app, 'POST', `/api/questionnaires/${id}/assignments`, { cookie: physician, body: { patientIds: [patient.id] } })).json().ids as string[];

      // An edit: reworded, reordered, and an item moved into the group.
      draft.items[1] = { ...draft.items[1]!, text: 'Do you smoke tobacco?', textFr: 'Fumez-vous du tabac?' };
      draft.items = moveBy(draft.items, draft.items[2]!.key, -1)!.items;
      const photo = draft.items.find((i) => i.linkId === 'photo')!;
      draft.items = moveBy(draft.items, photo.key, 1)!.items;
      draft.items = moveIntoPrevious(draft.items, photo.key)!.items;
      const edited = toFhir(draft);
      assertR4(edited, 'the edited questionnaire');
      const published = await call(ctx.app, 'PUT', `/api/questionnaires/${id}`, { cookie: physician, body: edited });
      assert.equal(published.statusCode, 200, published.body);
      assert.equal(published.json().questionnaire.version, 2);
      assert.equal(published.json().resource.item[2].linkId, 'smoker');
      assert.equal(published.json().resource.item.at(-1).item.at(-1).linkId, 'photo');

      const v1 = (await call(ctx.app, 'GET', `/api/questionnaires/${id}/fhir?version=1`, { cookie: physician })).json();
      assertR4(v1, 'version 1');
      assert.equal(v1.item[1].text, 'Do you smoke?');
      const opened = (await call(ctx.app, 'GET', `/api/patient/questionnaires/${assignmentId}`, { token })).json();
      assert.equal(opened.questionnaire.item[1].text, 'Do you smoke?', 'the assignment made before the edit keeps version 1');
    });

    it('serves the preview page to our own pages only (frame-ancestors self), with no clinic needed', async (t) => {
      const ctx = await build(t, d.name);
      fs.writeFileSync(path.join(ctx.deps.webRoot, 'widget', 'questionnaire-preview.html'), '<!doctype html><title>preview</title>');
      const res = await ctx.app.inject({ method: 'GET', url: '/frame/questionnaire-preview?lang=fr' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'self'(;|$)/);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
      assert.match(res.body, /<title>preview<\/title>/);
    });

    it('refuses a questionnaire the builder could not check (an enableWhen on a missing question) with the path', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const q = toFhir(builtDraft());
      q.item![2]!.enableWhen![0]!.question = 'nowhere';
      const res = await call(ctx.app, 'POST', '/api/questionnaires', { cookie: admin, body: q });
      assert.equal(res.statusCode, 422);
      assert.match(res.json().message, /^Questionnaire\.item\(cigs\)\.enableWhen\[0\]\.question: /);
    });
  });
}
