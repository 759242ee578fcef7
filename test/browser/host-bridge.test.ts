import { expect } from '@open-wc/testing';
import { hostOriginOf, isSafeCssValue } from '../../widget/frame/host-bridge.js';

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
});
