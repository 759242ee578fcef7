import { defineOnce } from '../shared/define-once.js';
import { FrameHost } from './frame-host.js';

/**
 * The `<sm-messages>` embed element. Everything it fires, its attributes, parts and CSS properties are those of {@link FrameHost}.
 * @summary Secure messages between a patient and the clinic, shown in a frame from our origin.
 * @tag sm-messages
 */
export class SmMessages extends FrameHost {
  protected readonly view = 'messages';
}

defineOnce('sm-messages', SmMessages);

declare global {
  interface HTMLElementTagNameMap {
    'sm-messages': SmMessages;
  }
}
