/**
 * @summary Questionnaires the clinic asks a patient to fill in before a visit, shown in a frame from our origin.
 * @attr clinic - the clinic's slug.
 * @attr lang - "en" or "fr".
 * @fires sm-signed-in - the patient signed in.
 * @fires sm-signed-out - the patient signed out.
 * @csspart frame - the iframe.
 */
import { defineOnce } from '../shared/define-once.js';
import { FrameHost } from './frame-host.js';

export class SmQuestionnaire extends FrameHost {
  protected readonly view = 'questionnaire';
}

defineOnce('sm-questionnaire', SmQuestionnaire);

declare global {
  interface HTMLElementTagNameMap {
    'sm-questionnaire': SmQuestionnaire;
  }
}
