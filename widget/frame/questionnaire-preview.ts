/**
 * The questionnaire frame in preview mode (/frame/questionnaire?preview=1): the admin's builder, on
 * our own origin only, sends the questionnaire it is editing and the view renders it exactly as a
 * patient sees it. Nothing is loaded for a patient, saved or sent (the view's preview mode).
 */
import { PREVIEW_READY, isPreviewShow } from '../../shared/questionnaire-preview.js';
import { translate } from '../../shared/i18n-questionnaire-view.js';
import { normalizeLang } from '../../shared/lang.js';
import { SmQuestionnaireView } from './sm-questionnaire-view.js';

/** Listens for the builder's questionnaire and tells it the preview is ready. Returns a stop function. */
export function startPreview(win: Window = window): () => void {
  let view: SmQuestionnaireView | null = null;
  const onMessage = (e: MessageEvent) => {
    // Our own origin, from the page that frames this one: a clinic's site can never drive it.
    if (e.origin !== win.location.origin || e.source !== win.parent || win.parent === win || !isPreviewShow(e.data)) return;
    const lang = normalizeLang(e.data.lang);
    const first = !view;
    view ??= new SmQuestionnaireView();
    win.document.documentElement.lang = lang;
    win.document.title = `${translate(lang, 'qb.preview')} – ${translate(lang, 'app.name')}`;
    view.lang = lang;
    // Set before it is connected: a view without a preview would load the patient's list.
    view.preview = e.data.questionnaire;
    if (first) win.document.body.append(view);
  };
  win.addEventListener('message', onMessage);
  if (win.parent !== win) win.parent.postMessage({ type: PREVIEW_READY }, win.location.origin);
  return () => win.removeEventListener('message', onMessage);
}
