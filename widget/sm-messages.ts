/**
 * @summary Secure messages between a patient and the clinic, shown in a frame from our origin.
 * @attr clinic - the clinic's slug.
 * @attr lang - "en" or "fr".
 * @fires sm-signed-in - the patient signed in.
 * @fires sm-signed-out - the patient signed out.
 * @csspart frame - the iframe.
 */
import { defineOnce } from '../shared/define-once.js';
import { FrameHost } from './frame-host.js';

export class SmMessages extends FrameHost {
  protected readonly view = 'messages';
}

defineOnce('sm-messages', SmMessages);

declare global {
  interface HTMLElementTagNameMap {
    'sm-messages': SmMessages;
  }
}
