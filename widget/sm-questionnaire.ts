import { defineOnce } from '../shared/define-once.js';
import { FrameHost } from './frame-host.js';

/**
 * The `<sm-questionnaire>` embed element. Everything it fires, its attributes, parts and CSS properties are those of {@link FrameHost}.
 * @summary Questionnaires the clinic asks a patient to fill in before a visit, shown in a frame from our origin.
 * @tag sm-questionnaire
 */
export class SmQuestionnaire extends FrameHost {
  protected readonly view = 'questionnaire';
}

defineOnce('sm-questionnaire', SmQuestionnaire);

declare global {
  interface HTMLElementTagNameMap {
    'sm-questionnaire': SmQuestionnaire;
  }
}
