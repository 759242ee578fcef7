import { defineOnce } from '../shared/define-once.js';
import { FrameHost } from './frame-host.js';

/**
 * The `<sm-booking>` embed element. Everything it fires, its attributes, parts and CSS properties are those of {@link FrameHost}.
 * @summary Booking an appointment against the physicians' availability, shown in a frame from our origin.
 * @tag sm-booking
 * @attr {string} type - optional: the id of the appointment type to show first.
 * @attr {string} provider - optional: the id of the provider to show first (otherwise "first available").
 */
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
