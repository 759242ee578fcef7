/** The admin's shared look: plain, high-contrast, keyboard-visible focus. */
import { css } from 'lit';

export const adminStyles = css`
  :host {
    display: block;
  }
  h1 {
    font-size: 1.5rem;
    margin: 0 0 1rem;
  }
  h2 {
    font-size: 1.15rem;
    margin: 1.5rem 0 0.75rem;
  }
  .panel {
    background: #fff;
    border: 1px solid #c5ced6;
    border-radius: 8px;
    padding: 1rem 1.25rem;
    margin-bottom: 1rem;
  }
  form.grid {
    display: grid;
    gap: 0.75rem;
    max-width: 40rem;
  }
  form.inline {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: end;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
  }
  /* Fields shrink with the screen (320 px, 400 % zoom) instead of pushing the page sideways. */
  label,
  form.grid > *,
  input,
  select,
  textarea {
    min-width: 0;
    max-width: 100%;
  }
  input,
  select,
  textarea {
    box-sizing: border-box;
  }
  input,
  select,
  textarea {
    font: inherit;
    font-weight: normal;
    padding: 0.45rem 0.55rem;
    border: 1px solid #616e7c;
    border-radius: 4px;
    background: #fff;
    color: #1f2933;
  }
  textarea {
    min-height: 6rem;
  }
  fieldset.plain {
    display: contents;
  }
  input[type='color'] {
    padding: 0.1rem;
    width: 4rem;
    height: 2.25rem;
  }
  button {
    font: inherit;
    font-weight: 600;
    padding: 0.45rem 0.9rem;
    border-radius: 4px;
    border: 2px solid #00587c;
    background: #00587c;
    color: #fff;
    cursor: pointer;
    justify-self: start;
  }
  button.secondary {
    background: #fff;
    color: #00587c;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  /* Dark blue ring (6.4:1 on white) with a white halo, so it also shows on the dark header (WCAG 2.4.11, 1.4.11). */
  :focus-visible {
    outline: 3px solid #0b57d0;
    outline-offset: 2px;
    box-shadow: 0 0 0 5px #ffffff;
  }
  /* A heading that receives focus after a screen change is not a control: no ring. */
  [tabindex='-1']:focus-visible {
    outline: none;
    box-shadow: none;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    background: #fff;
  }
  th,
  td {
    text-align: left;
    padding: 0.5rem;
    border-bottom: 1px solid #d9e2ec;
    vertical-align: top;
  }
  th {
    background: #eef2f6;
  }
  .error {
    color: #b3261e;
    font-weight: 600;
  }
  .ok {
    color: #1b6e3a;
    font-weight: 600;
  }
  .muted {
    color: #52606d;
  }
  /* Read by screen readers, not shown. */
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
  }
  label.check {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    font-weight: normal;
  }
  .notice {
    border-left: 4px solid #b8860b;
    background: #fff8dc;
    padding: 0.5rem 0.75rem;
  }
  pre,
  code {
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
    white-space: pre-wrap;
    word-break: break-word;
  }
`;
