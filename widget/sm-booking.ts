/**
 * @summary Booking an appointment against the physicians' availability, shown in a frame from our origin.
 * @attr clinic - the clinic's slug.
 * @attr lang - "en" or "fr".
 * @fires sm-signed-in - the patient signed in.
 * @fires sm-signed-out - the patient signed out.
 * @csspart frame - the iframe.
 */
import { defineOnce } from '../shared/define-once.js';
import { FrameHost } from './frame-host.js';

export class SmBooking extends FrameHost {
  protected readonly view = 'booking';
}

defineOnce('sm-booking', SmBooking);

declare global {
  interface HTMLElementTagNameMap {
    'sm-booking': SmBooking;
  }
}
