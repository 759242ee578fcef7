/**
 * The events the embed elements fire on the clinic's page, with their details. They bubble and are
 * composed. No detail ever holds health information: no names, no message text, no subjects.
 */

/** The views a frame can show. */
export type FrameView = 'messages' | 'questionnaire' | 'booking';

/** Why an embed cannot show: the codes of its `sm-error` event. */
export type EmbedErrorCode = 'unknown_clinic' | 'origin_not_allowed';

/** `sm-ready`: the frame has loaded and taken the page's theme. */
export interface SmReadyDetail {
  view: FrameView;
}

/** `sm-signed-in` / `sm-signed-out`: nothing about who. */
export type SmSignedInDetail = Record<string, never>;
/** See {@link SmSignedInDetail}. */
export type SmSignedOutDetail = Record<string, never>;

/** `sm-message-sent`: a message reached the clinic; only whether it started a conversation or answered one. */
export interface SmMessageSentDetail {
  kind: 'conversation' | 'reply';
}

/** `sm-error`: the widget cannot show on this page (for the webmaster). */
export interface SmErrorDetail {
  code: EmbedErrorCode;
}

/** Every event an embed element fires, by name. */
export interface SmEmbedEventMap {
  'sm-ready': CustomEvent<SmReadyDetail>;
  'sm-signed-in': CustomEvent<SmSignedInDetail>;
  'sm-signed-out': CustomEvent<SmSignedOutDetail>;
  'sm-message-sent': CustomEvent<SmMessageSentDetail>;
  'sm-error': CustomEvent<SmErrorDetail>;
}

/** The events the frame may ask the loader to fire (the loader fires `sm-ready` and `sm-error` itself). */
export const FRAME_EVENTS = ['sm-signed-in', 'sm-signed-out', 'sm-message-sent'] as const;

/** One of {@link FRAME_EVENTS}. */
export type FrameEventName = (typeof FRAME_EVENTS)[number];

/** Every event name of {@link SmEmbedEventMap}, for tests and the manifest check. */
export const EMBED_EVENTS = ['sm-ready', ...FRAME_EVENTS, 'sm-error'] as const;
