import { expect } from '@open-wc/testing';
import { applyTheme, hostOriginOf, isSafeCssValue } from '../../widget/frame/host-bridge.js';

/** A stand-in window: framed (parent differs) with the given ancestor origins. */
function framedWindow(ancestors: string[] | null): Window {
  const win = { parent: {}, location: ancestors ? { ancestorOrigins: Object.assign([...ancestors], { contains: () => false, item: () => null }) } : {} };
  return win as unknown as Window;
}

describe('frame ↔ host bridge', () => {
  it('trusts the host origin only when it is a bare origin that matches the real embedder', () => {
    expect(hostOriginOf('https://clinic.example', framedWindow(['https://clinic.example']))).to.equal('https://clinic.example');
    expect(hostOriginOf('https://evil.example', framedWindow(['https://clinic.example']))).to.equal(null);
    expect(hostOriginOf('https://clinic.example/page', framedWindow(null))).to.equal(null);
    expect(hostOriginOf('not a url', framedWindow(null))).to.equal(null);
    expect(hostOriginOf(null, framedWindow(null))).to.equal(null);
    expect(hostOriginOf('https://clinic.example', window), 'not framed').to.equal(null);
  });

  it('accepts plain CSS values for the theme and refuses anything that could fetch or inject', () => {
    for (const ok of ['#24543f', 'rgb(1, 2, 3)', '6px', 'Georgia, "Times New Roman", serif']) expect(isSafeCssValue(ok), ok).to.equal(true);
    for (const bad of ['url(https://evil.example/x.png)', 'red; background: red', '}body{display:none', '', 'x'.repeat(101), 'image-set("a.png" 1x)', 42]) {
      expect(isSafeCssValue(bad), String(bad)).to.equal(false);
    }
  });

  it('applies the host’s theme live: what it sends, not what it stopped sending; a dark background gets dark controls', () => {
    const root = document.createElement('div');
    document.body.append(root);
    try {
      applyTheme(root, { type: 'sm:theme', vars: { '--sm-background': '#111111', '--sm-surface': '#1e1e1e', '--sm-text': '#eeeeee', '--sm-accent': 'url(x)' }, fontFamily: 'Georgia' });
      expect(root.style.getPropertyValue('--sm-background')).to.equal('#111111');
      expect(root.style.getPropertyValue('--sm-accent')).to.equal('', 'unsafe value refused');
      expect(root.style.colorScheme).to.equal('dark');
      expect(root.style.getPropertyValue('--sm-focus-halo')).to.not.equal('');
      const input = document.createElement('input');
      root.append(input);
      expect(getComputedStyle(input).colorScheme).to.equal('dark', 'inputs follow the dark background');

      applyTheme(root, { type: 'sm:theme', vars: { '--sm-text': '#1f2933' }, fontFamily: 'Georgia' });
      expect(root.style.getPropertyValue('--sm-background')).to.equal('', 'a property the page dropped is dropped');
      expect(root.style.colorScheme).to.equal('light');
    } finally {
      root.remove();
    }
  });
});
