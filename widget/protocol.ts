/**
 * The messages between the embed loader (on the clinic's page) and the frame (on our origin).
 * Nothing in them is health information: sizes, theme values and bare event names.
 */

/** Frame → host: the frame's content height changed. */
export interface ResizeMessage {
  type: 'sm:resize';
  height: number;
}

/** Frame → host: ready for the theme. */
export interface ReadyMessage {
  type: 'sm:ready';
}

/** Frame → host: something happened the host page may react to (e.g. "sm-signed-in"); no details. */
export interface EventMessage {
  type: 'sm:event';
  name: string;
}

/** Host → frame: the host's theme, so the widget matches the clinic's site. */
export interface ThemeMessage {
  type: 'sm:theme';
  vars: Record<string, string>;
  fontFamily: string;
}

export type FrameToHost = ResizeMessage | ReadyMessage | EventMessage;

/** The custom properties a clinic may set on the element to theme the widget. */
export const THEME_VARS = ['--sm-accent', '--sm-accent-contrast', '--sm-text', '--sm-muted', '--sm-background', '--sm-surface', '--sm-border', '--sm-danger', '--sm-radius', '--sm-font-size', '--sm-focus'] as const;

/** Event names the loader re-fires on the host element. */
export const EVENT_NAME = /^sm-[a-z][a-z-]{0,39}$/;
