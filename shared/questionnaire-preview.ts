/**
 * The messages between the admin's questionnaire builder and the patient's questionnaire frame in
 * preview mode (/frame/questionnaire?preview=1). Both sides accept them only from our own origin
 * and the expected window (the builder's iframe, the frame's parent).
 */
import type { Questionnaire } from '@medplum/fhirtypes';
import type { Lang } from './lang.js';

/** Builder → frame: show this questionnaire, in this language. */
export const PREVIEW_SHOW = 'sm-questionnaire-preview';
/** Frame → builder: the preview is listening. */
export const PREVIEW_READY = 'sm-questionnaire-preview-ready';

/** What the builder sends. */
export interface PreviewShow {
  type: typeof PREVIEW_SHOW;
  questionnaire: Questionnaire;
  lang: Lang;
}

/** Whether a message's data is a preview to show (a Questionnaire-shaped object). */
export function isPreviewShow(data: unknown): data is PreviewShow {
  const d = data as Partial<PreviewShow> | null;
  return !!d && typeof d === 'object' && d.type === PREVIEW_SHOW && !!d.questionnaire && typeof d.questionnaire === 'object' && d.questionnaire.resourceType === 'Questionnaire';
}
