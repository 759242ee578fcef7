/** Bench page script: renders one questionnaire in our <sm-questionnaire-view>, timed in the page. */
import '../../widget/frame/sm-questionnaire-view.js';
import type { PatientAssignmentDetail } from '../../shared/questionnaires.js';
import type { PatientApi } from '../../widget/frame/patient-api.js';

declare global {
  interface Window {
    renderForm(form: unknown): Promise<{ ms: number; questions: number }>;
  }
}

window.renderForm = async (form) => {
  const detail = form as PatientAssignmentDetail;
  // The answers come from memory: the figure is rendering, not the network.
  const api = { questionnaires: async () => [detail.assignment], questionnaire: async () => detail } as unknown as PatientApi;
  performance.mark('render-start');
  const view = document.createElement('sm-questionnaire-view');
  view.api = api;
  document.body.append(view);
  await (view as unknown as { openOne(id: string): Promise<void> }).openOne(detail.assignment.id);
  await view.updateComplete;
  view.getBoundingClientRect(); // style and layout included
  performance.mark('render-end');
  return { ms: performance.measure('render', 'render-start', 'render-end').duration, questions: view.shadowRoot!.querySelectorAll('.question').length };
};
