/**
 * The messages between the embed loader (on the clinic's page) and the frame (on our origin).
 * Nothing in them is health information: sizes, theme values, a language, an unread count and
 * event names with fixed-vocabulary details.
 */
import type { FrameEventName, SmMessageSentDetail } from './events.js';

/** Frame → host: the frame's content height changed. */
export interface ResizeMessage {
  type: 'sm:resize';
  height: number;
}

/** Frame → host: ready for the theme. */
export interface ReadyMessage {
  type: 'sm:ready';
}

/** Frame → host: something happened the host page may react to (e.g. "sm-signed-in"). */
export interface EventMessage {
  type: 'sm:event';
  name: FrameEventName;
  /** Only `sm-message-sent` has one; the loader keeps nothing but the `kind` from it. */
  detail?: SmMessageSentDetail;
}

/** Frame → host: how many messages from the clinic the patient has not read (for the launcher's badge). */
export interface UnreadMessage {
  type: 'sm:unread';
  count: number;
}

/** Frame → host: Escape was pressed in the frame (the launcher's dialog closes; the page's own Escape never reaches into the frame). */
export interface EscapeMessage {
  type: 'sm:escape';
}

/** Host → frame: the host's theme, so the widget matches the clinic's site (sent again whenever it changes). */
export interface ThemeMessage {
  type: 'sm:theme';
  vars: Record<string, string>;
  fontFamily: string;
}

/** Host → frame: show the widget in this language from now on. */
export interface LangMessage {
  type: 'sm:lang';
  lang: 'en' | 'fr';
}

/** Host → frame: the page called `signOut()`. */
export interface SignOutMessage {
  type: 'sm:sign-out';
}

/** Host → frame: the page opened the widget (`open()`, the launcher): focus the current screen's heading. */
export interface FocusMessage {
  type: 'sm:focus';
}

export type FrameToHost = ResizeMessage | ReadyMessage | EventMessage | UnreadMessage | EscapeMessage;
export type HostToFrame = ThemeMessage | LangMessage | SignOutMessage | FocusMessage;

/** The custom properties a clinic may set on the element to theme the widget. */
export const THEME_VARS = ['--sm-accent', '--sm-accent-contrast', '--sm-text', '--sm-muted', '--sm-background', '--sm-surface', '--sm-border', '--sm-danger', '--sm-radius', '--sm-font-size', '--sm-focus'] as const;
