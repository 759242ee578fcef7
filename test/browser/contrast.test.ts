/** The widget stays readable in any clinic's colours: text on the accent, a pale accent, the focus ring. */
import { expect, fixture, html } from '@open-wc/testing';
import { applyReadableColors, contrast, parseColor } from '../../widget/frame/contrast.js';
import '../../widget/frame/sm-consent.js';
import type { SmConsent } from '../../widget/frame/sm-consent.js';

const WHITE = [255, 255, 255] as [number, number, number];

const made: HTMLElement[] = [];
function themed(vars: Record<string, string>): HTMLElement {
  const root = document.createElement('div');
  made.push(root);
  for (const [k, v] of Object.entries(vars)) root.style.setProperty(k, v);
  document.body.append(root);
  applyReadableColors(root);
  return root;
}
const rgb = (root: HTMLElement, name: string) => parseColor(root.style.getPropertyValue(name))!;

describe('readable colours', () => {
  afterEach(() => made.splice(0).forEach((d) => d.remove()));

  it('draws the focus ring at 3:1 or more against white (the old amber ring was 1.97:1)', async () => {
    const el = await fixture<SmConsent>(html`<sm-consent text="Consent"></sm-consent>`);
    const button = el.shadowRoot!.querySelector('button')!;
    button.focus();
    const ring = parseColor(getComputedStyle(button).outlineColor)!;
    expect(getComputedStyle(button).outlineStyle).to.equal('solid');
    expect(contrast(ring, WHITE)).to.be.at.least(3);
    expect(contrast(parseColor('#f9a825')!, WHITE)).to.be.below(3, 'the old ring, for the record');
  });

  it('replaces a clinic focus colour that would not show against the surface or its background', () => {
    const pale = themed({ '--sm-focus': '#f9a825', '--sm-background': '#fff8e1' });
    expect(contrast(rgb(pale, '--sm-focus'), WHITE)).to.be.at.least(3);
    expect(contrast(rgb(pale, '--sm-focus'), parseColor('#fff8e1')!)).to.be.at.least(3);
    const dark = themed({ '--sm-surface': '#0d1b2a', '--sm-background': '#102a43' });
    expect(contrast(rgb(dark, '--sm-focus'), parseColor('#0d1b2a')!)).to.be.at.least(3);
    expect(contrast(rgb(dark, '--sm-focus'), parseColor('#102a43')!)).to.be.at.least(3);
    const fine = themed({ '--sm-focus': 'rebeccapurple' });
    expect(fine.style.getPropertyValue('--sm-focus')).to.equal('rebeccapurple', 'a clinic colour that passes is kept');
  });

  it('keeps text readable on a pale accent, and does not use it for text on white', () => {
    const root = themed({ '--sm-accent': '#ffe082' });
    expect(root.style.getPropertyValue('--sm-accent-contrast')).to.equal('#000000');
    expect(contrast(rgb(root, '--sm-accent-contrast'), parseColor('#ffe082')!)).to.be.at.least(4.5);
    expect(contrast(rgb(root, '--sm-accent-text'), WHITE)).to.be.at.least(4.5);
  });

  it('fixes a clinic text-on-accent colour that does not contrast, and keeps a dark accent as link colour', () => {
    const root = themed({ '--sm-accent': '#00587c', '--sm-accent-contrast': '#333333' });
    expect(root.style.getPropertyValue('--sm-accent-contrast')).to.equal('#ffffff');
    expect(root.style.getPropertyValue('--sm-accent-text')).to.equal('');
  });
});
