import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import '../../admin/questionnaires/sm-questionnaire-builder.js';
import type { SmQuestionnaireBuilder } from '../../admin/questionnaires/sm-questionnaire-builder.js';
import { AdminApi } from '../../admin/admin-api.js';
import '../../admin/pages/sm-questionnaires-page.js';
import type { SmQuestionnairesPage } from '../../admin/pages/sm-questionnaires-page.js';
import type { Me } from '../../shared/api.js';
import { itemText, codingDisplay, questionnaireTitle } from '../../shared/questionnaire-logic.js';
import { startWorker, worker } from './msw.js';

const shadow = (el: Element) => el.shadowRoot!;
const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => shadow(el).querySelector<T & Element>(sel)!;
const $$ = <T extends Element = HTMLElement>(el: Element, sel: string) => [...shadow(el).querySelectorAll<T & Element>(sel)];

/** Types into a field as a person would (an input event). */
function type(field: HTMLInputElement | HTMLTextAreaElement, value: string) {
  field.value = value;
  field.dispatchEvent(new Event('input'));
}
function choose(select: HTMLSelectElement, value: string) {
  select.value = value;
  select.dispatchEvent(new Event('change'));
}
/** The item fieldsets of the top level, in order. */
const topItems = (el: Element) => $$(el, 'form > ol.items > li > fieldset.item');
const keyOf = (fs: Element) => fs.id.replace(/^item-/, '');

async function addItem(el: SmQuestionnaireBuilder, kind: string): Promise<string> {
  choose($<HTMLSelectElement>(el, '#add-item-type'), kind);
  $(el, '#add-item').click();
  await el.updateComplete;
  await el.updateComplete;
  const focused = shadow(el).activeElement as HTMLElement;
  expect(focused.id, 'focus moves to the new item').to.match(/^text-k\d+$/);
  return focused.id.slice('text-'.length);
}

const fr = (text: string) => ({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: text }] }] });

describe('<sm-questionnaire-builder>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('builds a questionnaire with several types, French text and a condition, reorders by keyboard, and sends valid FHIR', async () => {
    const sent: Questionnaire[] = [];
    worker.use(
      http.post('/api/questionnaires', async ({ request }) => {
        sent.push((await request.json()) as Questionnaire);
        return HttpResponse.json({ questionnaire: { id: 'q9', title: 'Intake', titleFr: 'Accueil', libraryKey: null, version: 1, versionId: 'v', updatedAt: '2026-11-26T00:00:00.000Z' }, versions: [], resource: sent[0] }, { status: 201 });
      }),
    );
    const el = await fixture<SmQuestionnaireBuilder>(html`<sm-questionnaire-builder .api=${new AdminApi()}></sm-questionnaire-builder>`);
    await waitUntil(() => shadow(el).querySelector('#title'));
    expect(shadow(el).activeElement?.tagName).to.equal('H2');
    type($(el, '#title'), 'Intake');
    type($(el, '#title-fr'), 'Accueil');

    const smoker = await addItem(el, 'boolean');
    type($(el, `#text-${smoker}`), 'Do you smoke?');
    type($(el, `#textfr-${smoker}`), 'Fumez-vous?');
    $<HTMLInputElement>(el, `#required-${smoker}`).click();

    const mood = await addItem(el, 'choice');
    type($(el, `#text-${mood}`), 'Mood');
    type($(el, `#textfr-${mood}`), 'Humeur');
    type($(el, `#code-0-${mood}`), 'good');
    type($(el, `#display-0-${mood}`), 'Good');
    type($(el, `#displayfr-0-${mood}`), 'Bonne');
    $(el, `#add-option-${mood}`).click();
    await el.updateComplete;
    await el.updateComplete;
    expect(shadow(el).activeElement!.id).to.equal(`display-1-${mood}`);
    type($(el, `#code-1-${mood}`), 'low');
    type($(el, `#display-1-${mood}`), 'Low');
    type($(el, `#displayfr-1-${mood}`), 'Basse');
    $<HTMLInputElement>(el, `#repeats-${mood}`).click();

    const cigs = await addItem(el, 'integer');
    type($(el, `#text-${cigs}`), 'Cigarettes a day');
    type($(el, `#textfr-${cigs}`), 'Cigarettes par jour');
    type($(el, `#min-${cigs}`), '1');
    $(el, `#add-condition-${cigs}`).click();
    await el.updateComplete;
    await el.updateComplete;
    const question = shadow(el).activeElement as HTMLSelectElement;
    expect(question.id).to.equal(`question-0-${cigs}`);
    choose(question, $<HTMLInputElement>(el, `#linkid-${smoker}`).value);
    await el.updateComplete;
    choose($<HTMLSelectElement>(el, `#operator-0-${cigs}`), '=');
    await el.updateComplete;
    choose($<HTMLSelectElement>(el, `#answer-0-${cigs}`), 'true');
    await el.updateComplete;

    // Alt+Up on the third item: it becomes the second, announced, focus kept.
    const field = $<HTMLInputElement>(el, `#min-${cigs}`);
    field.focus();
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', altKey: true, bubbles: true, composed: true }));
    await el.updateComplete;
    await el.updateComplete;
    expect(topItems(el).map(keyOf)).to.deep.equal([smoker, cigs, mood]);
    expect($(el, '[role=status][aria-live]').textContent).to.equal('Moved to position 2 of 3.');
    expect(shadow(el).activeElement!.id).to.equal(`min-${cigs}`);
    // The Move down button too.
    $(el, `#down-${smoker}`).click();
    await el.updateComplete;
    await el.updateComplete;
    expect(topItems(el).map(keyOf)).to.deep.equal([cigs, smoker, mood]);
    expect(shadow(el).activeElement!.id).to.equal(`down-${smoker}`);
    $(el, `#up-${smoker}`).click();
    await el.updateComplete;
    await el.updateComplete;
    expect(topItems(el).map(keyOf)).to.deep.equal([smoker, cigs, mood]);

    await expect(el).to.be.accessible({ ignoredRules: ['frame-tested'] });

    const published = new Promise<CustomEvent>((resolve) => el.addEventListener('sm-questionnaire-published', resolve as EventListener, { once: true }));
    $<HTMLFormElement>(el, 'form').requestSubmit();
    expect((await published).detail).to.deep.equal({ id: 'q9', version: 1 });
    expect(sent.length).to.equal(1);
    const q = sent[0]!;
    expect(q.resourceType).to.equal('Questionnaire');
    expect(q.status).to.equal('active');
    expect(questionnaireTitle(q, 'fr')).to.equal('Accueil');
    const [i1, i2, i3] = q.item as QuestionnaireItem[];
    expect(i1).to.include({ type: 'boolean', text: 'Do you smoke?', required: true });
    expect(itemText(i1!, 'fr')).to.equal('Fumez-vous?');
    expect(i2!.type).to.equal('integer');
    expect(i2!.enableWhen).to.deep.equal([{ question: i1!.linkId, operator: '=', answerBoolean: true }]);
    expect(i2!.extension).to.deep.equal([{ url: 'http://hl7.org/fhir/StructureDefinition/minValue', valueInteger: 1 }]);
    expect(i3).to.include({ type: 'choice', repeats: true });
    expect(i3!.answerOption!.map((o) => o.valueCoding!.code)).to.deep.equal(['good', 'low']);
    expect(codingDisplay(i3!.answerOption![1]!.valueCoding!, 'fr')).to.equal('Basse');
    expect(new Set(q.item!.map((i) => i.linkId)).size).to.equal(3);
  });

  it('moves an item by dragging, into and out of a group with the buttons', async () => {
    const el = await fixture<SmQuestionnaireBuilder>(html`<sm-questionnaire-builder .api=${new AdminApi()}></sm-questionnaire-builder>`);
    await waitUntil(() => shadow(el).querySelector('#title'));
    const a = await addItem(el, 'string');
    const b = await addItem(el, 'date');
    const g = await addItem(el, 'group');
    type($(el, `#text-${g}`), 'Medications');
    const dataTransfer = new DataTransfer();
    $(el, `#item-${b} .handle`).dispatchEvent(new DragEvent('dragstart', { bubbles: true, composed: true, dataTransfer }));
    await el.updateComplete;
    $(el, `#item-${a}`).dispatchEvent(new DragEvent('dragover', { bubbles: true, composed: true, cancelable: true, dataTransfer }));
    $(el, `#item-${a}`).dispatchEvent(new DragEvent('drop', { bubbles: true, composed: true, cancelable: true, dataTransfer }));
    await el.updateComplete;
    await el.updateComplete;
    expect(topItems(el).map(keyOf)).to.deep.equal([b, a, g]);

    // a is just above the group: after moving it down, Into the group puts it inside.
    $(el, `#down-${a}`).click();
    await el.updateComplete;
    await el.updateComplete;
    $(el, `#in-${a}`).click();
    await el.updateComplete;
    await el.updateComplete;
    expect(topItems(el).map(keyOf)).to.deep.equal([b, g]);
    expect($$(el, `#item-${g} ol.items > li > fieldset.item`).map(keyOf)).to.deep.equal([a]);
    expect($(el, '[role=status][aria-live]').textContent).to.equal('Moved into the group “Medications”, position 1 of 1.');
    $(el, `#out-${a}`).click();
    await el.updateComplete;
    await el.updateComplete;
    expect(topItems(el).map(keyOf)).to.deep.equal([b, g, a]);
    expect($(el, '[role=status][aria-live]').textContent).to.equal('Moved out of the group, to position 3 of 3.');
  });

  it('authors a repeating group inside a repeating group (Medication → Dose), offers conditions only where the patient can see them, and refuses a third level before sending', async () => {
    const sent: Questionnaire[] = [];
    worker.use(
      http.post('/api/questionnaires', async ({ request }) => {
        sent.push((await request.json()) as Questionnaire);
        return HttpResponse.json({ questionnaire: { id: 'q8', title: 'Medications', titleFr: 'Médicaments', libraryKey: null, version: 1, versionId: 'v', updatedAt: '2026-11-26T00:00:00.000Z' }, versions: [], resource: sent[0] }, { status: 201 });
      }),
    );
    const el = await fixture<SmQuestionnaireBuilder>(html`<sm-questionnaire-builder .api=${new AdminApi()}></sm-questionnaire-builder>`);
    await waitUntil(() => shadow(el).querySelector('#title'));
    type($(el, '#title'), 'Medications');
    /** Adds an item of `kind` inside group `parent`; returns its key (focus is on its text). */
    const addIn = async (parent: string, kind: string) => {
      choose($<HTMLSelectElement>(el, `#add-${parent}-type`), kind);
      $(el, `#add-${parent}`).click();
      await el.updateComplete;
      await el.updateComplete;
      return (shadow(el).activeElement as HTMLElement).id.slice('text-'.length);
    };
    const meds = await addItem(el, 'group');
    type($(el, `#text-${meds}`), 'Medication');
    $<HTMLInputElement>(el, `#repeats-${meds}`).click();
    await el.updateComplete;
    const prn = await addIn(meds, 'boolean');
    type($(el, `#text-${prn}`), 'Only when needed?');
    const doses = await addIn(meds, 'group');
    type($(el, `#text-${doses}`), 'Dose');
    $<HTMLInputElement>(el, `#repeats-${doses}`).click();
    await el.updateComplete;
    const amount = await addIn(doses, 'decimal');
    type($(el, `#text-${amount}`), 'Amount');
    const time = await addIn(doses, 'string');
    type($(el, `#text-${time}`), 'Time of day');
    const after = await addItem(el, 'string');
    type($(el, `#text-${after}`), 'Anything else?');
    await el.updateComplete;

    const offered = (key: string) => [...$<HTMLSelectElement>(el, `#question-0-${key}`).options].map((o) => o.textContent!.replace(/ \(.*\)$/, '')).filter((t) => t !== '—');
    // Inside a dose: the dose's own questions, its medication's and the questionnaire's.
    $(el, `#add-condition-${time}`).click();
    await el.updateComplete;
    await el.updateComplete;
    expect(offered(time)).to.deep.equal(['Only when needed?', 'Amount', 'Anything else?']);
    choose($<HTMLSelectElement>(el, `#question-0-${time}`), $<HTMLInputElement>(el, `#linkid-${prn}`).value);
    await el.updateComplete;
    choose($<HTMLSelectElement>(el, `#answer-0-${time}`), 'false');
    await el.updateComplete;
    // Outside every medication: nothing asked once per medication or per dose.
    $(el, `#add-condition-${after}`).click();
    await el.updateComplete;
    await el.updateComplete;
    expect($(el, `#add-condition-${after}`).hasAttribute('disabled')).to.equal(true, 'no question it could look at');
    await expect(el).to.be.accessible({ ignoredRules: ['frame-tested'] });

    const published = new Promise<CustomEvent>((resolve) => el.addEventListener('sm-questionnaire-published', resolve as EventListener, { once: true }));
    $<HTMLFormElement>(el, 'form').requestSubmit();
    expect((await published).detail).to.deep.equal({ id: 'q8', version: 1 });
    await el.updateComplete;
    const [m] = sent[0]!.item as QuestionnaireItem[];
    expect(m).to.include({ type: 'group', repeats: true, text: 'Medication' });
    const d = m!.item!.find((i) => i.text === 'Dose')!;
    expect(d).to.include({ type: 'group', repeats: true });
    expect(d.item!.map((i) => i.text)).to.deep.equal(['Amount', 'Time of day']);
    expect(d.item![1]!.enableWhen).to.deep.equal([{ question: m!.item![0]!.linkId, operator: '=', answerBoolean: false }]);

    // A third level is named before anything is sent.
    const third = await addIn(doses, 'group');
    type($(el, `#text-${third}`), 'Tablet');
    $<HTMLInputElement>(el, `#repeats-${third}`).click();
    await el.updateComplete;
    const inner = await addIn(third, 'string');
    type($(el, `#text-${inner}`), 'Colour');
    $<HTMLFormElement>(el, 'form').requestSubmit();
    await el.updateComplete;
    await el.updateComplete;
    expect($(el, '.problems').textContent).to.contain('Tablet: Repeating groups go two deep at most');
    expect(sent.length).to.equal(1);
  });

  it('names what is missing before sending anything, in French too', async () => {
    let calls = 0;
    worker.use(http.post('/api/questionnaires', () => (calls++, HttpResponse.json({}, { status: 500 }))));
    const el = await fixture<SmQuestionnaireBuilder>(html`<sm-questionnaire-builder .api=${new AdminApi()} lang="fr"></sm-questionnaire-builder>`);
    await waitUntil(() => shadow(el).querySelector('#title'));
    await addItem(el, 'choice');
    $<HTMLFormElement>(el, 'form').requestSubmit();
    await el.updateComplete;
    await el.updateComplete;
    expect(shadow(el).activeElement!.id).to.equal('problems');
    const list = $(el, '.problems').textContent!.replace(/\s+/g, ' ');
    expect(list).to.contain('Donnez un titre au questionnaire.');
    expect(list).to.contain('Écrivez le texte en anglais');
    expect($(el, '#title').getAttribute('aria-invalid')).to.equal('true');
    expect(calls).to.equal(0);
    await expect(el).to.be.accessible({ ignoredRules: ['frame-tested'] });
  });

  it('edits an existing questionnaire: publishes a new version by PUT, and shows the server’s first problem beside the builder', async () => {
    const resource: Questionnaire = {
      resourceType: 'Questionnaire', id: 'q1', url: 'urn:uuid:q1', version: '3', status: 'active', title: 'Follow-up', _title: fr('Suivi'),
      item: [{ linkId: 'bp', type: 'quantity', text: 'Blood pressure', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit', valueCoding: { system: 'http://unitsofmeasure.org', code: 'mm[Hg]', display: 'mmHg' } }] }],
    } as Questionnaire;
    const puts: Questionnaire[] = [];
    worker.use(
      http.get('/api/questionnaires/q1', () => HttpResponse.json({ questionnaire: { id: 'q1', title: 'Follow-up', titleFr: 'Suivi', libraryKey: null, version: 3, versionId: 'v3', updatedAt: '2026-11-26T00:00:00.000Z' }, versions: [], resource })),
      http.put('/api/questionnaires/q1', async ({ request }) => {
        puts.push((await request.json()) as Questionnaire);
        if (puts.length === 1) return HttpResponse.json({ code: 'invalid_fhir', message: 'Questionnaire.item[0].extension: a quantity item\'s unit must be a UCUM code' }, { status: 422 });
        return HttpResponse.json({ questionnaire: { id: 'q1', title: 'Follow-up', titleFr: 'Suivi', libraryKey: null, version: 4, versionId: 'v4', updatedAt: '2026-11-26T00:00:00.000Z' }, versions: [], resource: puts[1] });
      }),
    );
    const el = await fixture<SmQuestionnaireBuilder>(html`<sm-questionnaire-builder .api=${new AdminApi()} questionnaire-id="q1"></sm-questionnaire-builder>`);
    await waitUntil(() => shadow(el).querySelector('#title'));
    expect($(el, 'h2').textContent).to.contain('version 3');
    expect($<HTMLInputElement>(el, '#title-fr').value).to.equal('Suivi');
    const bp = keyOf(topItems(el)[0]!);
    expect($<HTMLInputElement>(el, `#unit-${bp}`).value).to.equal('mm[Hg]');
    type($(el, `#textfr-${bp}`), 'Tension artérielle');

    $<HTMLFormElement>(el, 'form').requestSubmit();
    await waitUntil(() => shadow(el).querySelector('.problems'), 'the refusal is shown');
    expect($(el, '.problems').textContent).to.contain('Questionnaire.item[0].extension');
    expect(shadow(el).activeElement!.id).to.equal('problems');
    $<HTMLButtonElement>(el, '.problems button').click();
    expect(shadow(el).activeElement!.id).to.equal(`linkid-${bp}`);

    const published = new Promise<CustomEvent>((resolve) => el.addEventListener('sm-questionnaire-published', resolve as EventListener, { once: true }));
    $<HTMLFormElement>(el, 'form').requestSubmit();
    expect((await published).detail).to.deep.equal({ id: 'q1', version: 4 });
    const sent = puts[1]!;
    expect(sent).not.to.have.property('id');
    expect(sent).not.to.have.property('version');
    expect(itemText(sent.item![0]!, 'fr')).to.equal('Tension artérielle');
    expect(sent.item![0]!.extension).to.deep.equal(resource.item![0]!.extension);
  });

  it('shows the draft in the preview frame, as the patient sees it, in English and French', async () => {
    const el = await fixture<SmQuestionnaireBuilder>(html`<sm-questionnaire-builder .api=${new AdminApi()}></sm-questionnaire-builder>`);
    await waitUntil(() => shadow(el).querySelector('#title'));
    type($(el, '#title'), 'Intake');
    type($(el, '#title-fr'), 'Accueil');
    const item = await addItem(el, 'string');
    type($(el, `#text-${item}`), 'Your name');
    type($(el, `#textfr-${item}`), 'Votre nom');
    const frame = () => $<HTMLIFrameElement>(el, 'iframe');
    const view = () => frame().contentDocument?.querySelector('sm-questionnaire-view')?.shadowRoot;
    await waitUntil(() => view()?.textContent?.includes('Your name'), 'the English preview shows the item', { timeout: 5000 });
    expect(view()!.querySelector('h3')!.textContent).to.equal('Intake');
    expect(frame().title).to.equal('Preview as the patient sees it (English)');
    $<HTMLInputElement>(el, 'input[name=preview-lang][value=fr]').click();
    await waitUntil(() => view()?.textContent?.includes('Votre nom'), 'the French preview shows the item', { timeout: 5000 });
    expect(view()!.querySelector('h3')!.textContent).to.equal('Accueil');
  });

  it('asks before leaving with changes not published', async () => {
    const el = await fixture<SmQuestionnaireBuilder>(html`<sm-questionnaire-builder .api=${new AdminApi()}></sm-questionnaire-builder>`);
    await waitUntil(() => shadow(el).querySelector('#title'));
    let closed = 0;
    el.addEventListener('sm-builder-close', () => closed++);
    type($(el, '#title'), 'Draft');
    const back = () => [...shadow(el).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === 'Back to questionnaires')!;
    back().click();
    await el.updateComplete;
    await el.updateComplete;
    expect(closed).to.equal(0);
    expect($(el, '[role=alertdialog]').textContent).to.contain('Your changes are not published');
    expect(shadow(el).activeElement!.id).to.equal('stay');
    await expect(el).to.be.accessible({ ignoredRules: ['frame-tested'] });
    [...shadow(el).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === 'Leave without publishing')!.click();
    expect(closed).to.equal(1);
  });

  it('opens from the Questionnaires page (new, or Edit on a questionnaire) and comes back with the list refreshed', async () => {
    const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'physician', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
    let version = 1;
    const summary = () => ({ id: 'q1', title: 'Follow-up', titleFr: 'Suivi', libraryKey: null, version, versionId: `v${version}`, updatedAt: '2026-11-26T00:00:00.000Z' });
    const resource: Questionnaire = { resourceType: 'Questionnaire', status: 'active', title: 'Follow-up', item: [{ linkId: 'a', type: 'string', text: 'How are you?' }] };
    worker.use(
      http.get('/api/questionnaires', () => HttpResponse.json([summary()])),
      http.get('/api/questionnaire-library', () => HttpResponse.json([])),
      http.get('/api/questionnaire-assignments', () => HttpResponse.json([])),
      http.get('/api/questionnaires/q1', () => HttpResponse.json({ questionnaire: summary(), versions: [], resource })),
      http.put('/api/questionnaires/q1', () => {
        version = 2;
        return HttpResponse.json({ questionnaire: summary(), versions: [], resource });
      }),
    );
    const page = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    await waitUntil(() => shadow(page).querySelector('#new-questionnaire'));
    $(page, '#new-questionnaire').click();
    await waitUntil(() => $(page, 'sm-questionnaire-builder')?.shadowRoot?.querySelector('#title'), 'the builder opens');
    const builder = $<SmQuestionnaireBuilder>(page, 'sm-questionnaire-builder');
    expect($(builder, 'h2').textContent).to.equal('New questionnaire');
    [...shadow(builder).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === 'Back to questionnaires')!.click();
    const edit = () => [...shadow(page).querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent!.trim() === 'Edit Follow-up');
    await waitUntil(edit, 'back to the list');
    edit()!.click();
    await waitUntil(() => $(page, 'sm-questionnaire-builder')?.shadowRoot?.querySelector('#title'), 'the builder opens on it');
    const editor = $<SmQuestionnaireBuilder>(page, 'sm-questionnaire-builder');
    expect($(editor, 'h2').textContent).to.contain('Follow-up');
    $<HTMLFormElement>(editor, 'form').requestSubmit();
    await waitUntil(() => shadow(page).querySelector('p.ok'), 'the list says what was published');
    expect($(page, 'p.ok').textContent).to.equal('Follow-up: version 2 published.');
    expect(shadow(page).activeElement?.tagName).to.equal('H1');
  });
});
