/** Bench page script: renders the same questionnaire with SurveyJS (survey-core + survey-js-ui), timed in the page. */
import { Model } from 'survey-core';
import { renderSurvey } from 'survey-js-ui';

declare global {
  interface Window {
    renderForm(form: unknown): Promise<{ ms: number; questions: number }>;
  }
}

window.renderForm = async (form) => {
  const json = form as { elements: Array<{ type: string; visible?: boolean }> };
  const expected = json.elements.filter((e) => e.type !== 'html' && e.visible !== false).length;
  performance.mark('render-start');
  const root = document.createElement('div');
  document.body.append(root);
  renderSurvey(new Model(json), root);
  // Until every question is in the page (should SurveyJS finish any of it later).
  while (root.querySelectorAll('.sd-question').length < expected) await new Promise((r) => setTimeout(r, 0));
  root.getBoundingClientRect(); // style and layout included
  performance.mark('render-end');
  return { ms: performance.measure('render', 'render-start', 'render-end').duration, questions: root.querySelectorAll('.sd-question').length };
};
