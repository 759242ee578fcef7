/** Shared look of the frame's elements; every colour comes from a --sm-* property with an accessible default. */
import { css } from 'lit';

export const frameStyles = css`
  :host {
    display: block;
    color: var(--sm-text, #1f2933);
    font: inherit;
  }
  .card {
    background: var(--sm-surface, #ffffff);
    border: 1px solid var(--sm-border, #c5ced6);
    border-radius: var(--sm-radius, 8px);
    padding: 1rem 1.25rem;
  }
  h2 {
    font-size: 1.2em;
    margin: 0 0 0.5rem;
  }
  p {
    margin: 0.5rem 0;
    line-height: 1.45;
  }
  .muted {
    color: var(--sm-muted, #52606d);
  }
  .notice {
    border-left: 4px solid var(--sm-danger, #b3261e);
    padding: 0.25rem 0.75rem;
    margin: 0 0 0.75rem;
  }
  form {
    display: grid;
    gap: 0.75rem;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
  }
  /* Reflow at 320 CSS px: a grid column is never wider than the frame (a textarea's or file input's own
     width would otherwise size it and push the page sideways), and no control outgrows its column. */
  form,
  label {
    grid-template-columns: minmax(0, 1fr);
  }
  input,
  select,
  textarea,
  button {
    max-width: 100%;
    box-sizing: border-box;
  }
  button {
    overflow-wrap: anywhere;
  }
  label.check {
    display: flex;
    gap: 0.5rem;
    align-items: flex-start;
    font-weight: normal;
  }
  input[type='email'],
  input[type='text'],
  input[type='date'] {
    font: inherit;
    padding: 0.5rem 0.6rem;
    border: 1px solid var(--sm-border-strong, #616e7c);
    border-radius: calc(var(--sm-radius, 8px) / 2);
    /* The surface, so a dark theme has dark inputs (the frame sets color-scheme: dark for the controls' own parts). */
    background: var(--sm-surface, #ffffff);
    color: var(--sm-text, #1f2933);
  }
  button {
    font: inherit;
    font-weight: 600;
    padding: 0.55rem 1rem;
    border-radius: calc(var(--sm-radius, 8px) / 2);
    border: 2px solid var(--sm-accent, var(--sm-brand, #00587c));
    background: var(--sm-accent, var(--sm-brand, #00587c));
    color: var(--sm-accent-contrast, #ffffff);
    cursor: pointer;
    justify-self: start;
  }
  button.secondary {
    background: var(--sm-surface, #ffffff);
    color: var(--sm-accent-text, var(--sm-accent, var(--sm-brand, #00587c)));
  }
  button.link {
    background: transparent;
    color: var(--sm-accent-text, var(--sm-accent, var(--sm-brand, #00587c)));
    border-color: transparent;
    text-decoration: underline;
    padding-inline: 0;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  /* Two tones: the ring (at least 3:1 against white and the clinic's background, see contrast.ts) and a halo between it and the control. */
  :focus-visible {
    outline: 3px solid var(--sm-focus, #0b57d0);
    outline-offset: 2px;
    box-shadow: 0 0 0 2px var(--sm-focus-halo, #ffffff);
  }
  .error {
    color: var(--sm-danger, #b3261e);
    font-weight: 600;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
