/**
 * @summary Booking an appointment against the physicians' availability, shown in a frame from our origin.
 * @attr clinic - the clinic's slug.
 * @attr lang - "en" or "fr".
 * @attr type - optional: the id of the appointment type to show first.
 * @attr provider - optional: the id of the provider to show first (otherwise "first available").
 * @fires sm-signed-in - the patient signed in.
 * @fires sm-signed-out - the patient signed out.
 * @csspart frame - the iframe.
 */
import { defineOnce } from '../shared/define-once.js';
import { FrameHost } from './frame-host.js';

export class SmBooking extends FrameHost {
  static observedAttributes = [...FrameHost.observedAttributes, 'type', 'provider'];
  protected readonly view = 'booking';
  protected readonly passedOn = ['type', 'provider'];
}

defineOnce('sm-booking', SmBooking);

declare global {
  interface HTMLElementTagNameMap {
    'sm-booking': SmBooking;
  }
}
