import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { Questionnaire } from '@medplum/fhirtypes';
import '../../widget/frame/sm-questionnaire-view.js';
import type { SmQuestionnaireView } from '../../widget/frame/sm-questionnaire-view.js';
import { PREVIEW_READY, PREVIEW_SHOW } from '../../shared/questionnaire-preview.js';

const fr = (text: string) => ({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: text }] }] });
const q = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Intake',
  _title: fr('Accueil'),
  item: [
    {
      linkId: 'smoker', type: 'boolean', text: 'Do you smoke?', _text: fr('Fumez-vous?'), required: true,
      item: [{ linkId: 'smoker-help', type: 'display', text: 'Including e-cigarettes', _text: fr('Y compris la cigarette électronique'), extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl', valueCodeableConcept: { coding: [{ system: 'http://hl7.org/fhir/questionnaire-item-control', code: 'help' }] } }] }],
    },
    { linkId: 'cigs', type: 'integer', text: 'Cigarettes a day', _text: fr('Cigarettes par jour'), enableWhen: [{ question: 'smoker', operator: '=', answerBoolean: true }] },
  ],
} as unknown as Questionnaire;

const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element) => shadow(el).textContent!.replace(/\s+/g, ' ');

describe('questionnaire preview mode', () => {
  it('renders the questionnaire as the patient sees it, with its conditions, and submits nothing', async () => {
    const requests: string[] = [];
    const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => e.name.includes('/api/') && requests.push(e.name)));
    observer.observe({ type: 'resource', buffered: false });
    const el = await fixture<SmQuestionnaireView>(html`<sm-questionnaire-view lang="fr" .preview=${q}></sm-questionnaire-view>`);
    expect(shadow(el).querySelector('h3')!.textContent).to.equal('Accueil');
    expect(text(el)).to.contain('Fumez-vous?');
    expect(shadow(el).querySelector('legend')!.textContent, 'help text is read with the question').to.contain('Y compris la cigarette électronique');
    expect(text(el)).not.to.contain('Cigarettes par jour');
    expect(shadow(el).querySelector('button.link'), 'no way back to a list that does not exist').to.equal(null);

    shadow(el).querySelector<HTMLFormElement>('form')!.requestSubmit();
    await el.updateComplete;
    expect(shadow(el).querySelector('[role=alert]')!.textContent).to.contain('1');

    const yes = shadow(el).querySelector<HTMLInputElement>('input[type=radio]')!;
    yes.click();
    await el.updateComplete;
    expect(text(el)).to.contain('Cigarettes par jour');
    shadow(el).querySelector<HTMLFormElement>('form')!.requestSubmit();
    await el.updateComplete;
    expect(shadow(el).querySelector('.thanks')!.textContent).to.contain('Rien n’a été envoyé');
    await expect(el).to.be.accessible();
    observer.disconnect();
    expect(requests).to.deep.equal([]);
  });

  it('the preview page shows what its parent sends, and ignores messages from another origin or window', async () => {
    const frame = document.createElement('iframe');
    const ready = new Promise<void>((resolve) =>
      window.addEventListener('message', function on(e) {
        if (e.source === frame.contentWindow && e.origin === location.origin && (e.data as { type?: string })?.type === PREVIEW_READY) {
          window.removeEventListener('message', on);
          resolve();
        }
      }),
    );
    frame.src = '/frame/questionnaire-preview?lang=en';
    document.body.append(frame);
    try {
      await ready;
      const win = frame.contentWindow!;
      const Message = (win as unknown as typeof globalThis).MessageEvent;
      const view = () => win.document.querySelector('sm-questionnaire-view');
      // Forged: another origin, or the frame's own window instead of its parent.
      win.dispatchEvent(new Message('message', { data: { type: PREVIEW_SHOW, questionnaire: q, lang: 'en' }, origin: 'https://clinic.example', source: window }));
      win.dispatchEvent(new Message('message', { data: { type: PREVIEW_SHOW, questionnaire: q, lang: 'en' }, origin: location.origin, source: win }));
      // (dispatchEvent runs the listener at once, so nothing rendered means they were refused.)
      expect(view()).to.equal(null);
      win.dispatchEvent(new Message('message', { data: { type: PREVIEW_SHOW, questionnaire: { resourceType: 'Patient' }, lang: 'en' }, origin: location.origin, source: window }));
      expect(view(), 'not a Questionnaire').to.equal(null);

      win.postMessage({ type: PREVIEW_SHOW, questionnaire: q, lang: 'fr' }, location.origin);
      await waitUntil(() => view()?.shadowRoot?.querySelector('h3'), 'the preview renders');
      expect(view()!.shadowRoot!.querySelector('h3')!.textContent).to.equal('Accueil');
      expect(win.document.documentElement.lang).to.equal('fr');
      expect(view()!.shadowRoot!.querySelector('[role=alert]'), 'nothing was loaded for a patient').to.equal(null);

      win.postMessage({ type: PREVIEW_SHOW, questionnaire: { ...q, title: 'Intake v2', _title: undefined }, lang: 'en' }, location.origin);
      await waitUntil(() => view()!.shadowRoot!.querySelector('h3')!.textContent === 'Intake v2', 'the preview follows the edits');
    } finally {
      frame.remove();
    }
  });
});
