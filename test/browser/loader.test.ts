import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../widget/loader.js';
import type { SmMessages } from '../../widget/sm-messages.js';
import { startWorker, worker } from './msw.js';

/** Runs code inside the frame's own window, so its postMessage comes from the frame. */
function inFrame(el: HTMLElement, code: string): unknown {
  const frame = el.shadowRoot!.querySelector('iframe')!;
  return (frame.contentWindow as unknown as { eval(code: string): unknown }).eval(code);
}

async function loaded(el: HTMLElement): Promise<HTMLIFrameElement> {
  const frame = el.shadowRoot!.querySelector('iframe')!;
  if (frame.contentDocument?.readyState !== 'complete' || frame.contentWindow?.location.href === 'about:blank') await oneEvent(frame, 'load');
  return frame;
}

describe('embed loader', () => {
  it('defines the three elements, and loading the script again is harmless', async () => {
    expect(customElements.get('sm-messages')).to.be.a('function');
    expect(customElements.get('sm-questionnaire')).to.be.a('function');
    expect(customElements.get('sm-booking')).to.be.a('function');
    const first = customElements.get('sm-messages');
    // A second copy of the script (a new URL runs the module again), as when a site includes it twice.
    await import(`../../widget/sm-messages.ts?again=${Date.now()}`);
    expect(customElements.get('sm-messages')).to.equal(first);
  });

  it('renders a titled frame from our origin for the clinic, in the element’s language', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north" lang="fr"></sm-messages>`);
    const frame = el.shadowRoot!.querySelector('iframe')!;
    const src = new URL(frame.src);
    expect(src.origin).to.equal(location.origin);
    expect(src.pathname).to.equal('/frame/messages');
    expect(src.searchParams.get('clinic')).to.equal('north');
    expect(src.searchParams.get('lang')).to.equal('fr');
    expect(src.searchParams.get('host')).to.equal(location.origin);
    expect(frame.title).to.equal('Messages sécurisés avec votre clinique');
    expect(frame.getAttribute('part')).to.equal('frame');
    await expect(el).to.be.accessible();
  });

  it('follows the page language when the element has none', async () => {
    const wrapper = await fixture(html`<div lang="fr-CA"><sm-booking clinic="north"></sm-booking></div>`);
    const frame = wrapper.querySelector('sm-booking')!.shadowRoot!.querySelector('iframe')!;
    expect(new URL(frame.src).searchParams.get('lang')).to.equal('fr');
  });

  it('passes <sm-booking>’s type and provider on to its frame (and nothing for the other elements)', async () => {
    const el = await fixture(html`<sm-booking clinic="north" type="t1" provider="p1"></sm-booking>`);
    const src = () => new URL(el.shadowRoot!.querySelector('iframe')!.src);
    expect(src().pathname).to.equal('/frame/booking');
    expect(src().searchParams.get('type')).to.equal('t1');
    expect(src().searchParams.get('provider')).to.equal('p1');
    el.setAttribute('provider', 'p2');
    expect(src().searchParams.get('provider')).to.equal('p2');
    const messages = await fixture(html`<sm-messages clinic="north" type="t1"></sm-messages>`);
    expect(new URL(messages.shadowRoot!.querySelector('iframe')!.src).searchParams.has('type')).to.equal(false);
  });

  it('puts no health information in the host page: only an iframe in its shadow root', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north"></sm-messages>`);
    expect([...el.shadowRoot!.children].map((c) => c.tagName)).to.deep.equal(['STYLE', 'IFRAME']);
    expect(el.textContent).to.equal('');
  });

  it('resizes the frame to the height the frame reports', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north"></sm-messages>`);
    const frame = await loaded(el);
    inFrame(el, `parent.postMessage({ type: 'sm:resize', height: 345.2 }, location.origin)`);
    await waitUntil(() => frame.style.height !== '', 'the frame was resized');
    expect(frame.style.height).to.equal('346px');
  });

  it('ignores messages that do not come from its own frame', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north"></sm-messages>`);
    const frame = await loaded(el);
    window.postMessage({ type: 'sm:resize', height: 999 }, location.origin);
    await new Promise((r) => setTimeout(r, 50));
    expect(frame.style.height).to.equal('');
  });

  it('re-fires the frame’s sm-* events on the element, bubbling and composed, with no details', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north"></sm-messages>`);
    await loaded(el);
    const seen: string[] = [];
    el.addEventListener('not-ours', () => seen.push('not-ours'));
    setTimeout(() => {
      inFrame(el, `parent.postMessage({ type: 'sm:event', name: 'not-ours' }, location.origin)`);
      inFrame(el, `parent.postMessage({ type: 'sm:event', name: 'sm-signed-in' }, location.origin)`);
    });
    const event = (await oneEvent(document.body, 'sm-signed-in')) as CustomEvent;
    expect(event.composed).to.equal(true);
    expect(event.detail).to.equal(null);
    expect(seen).to.deep.equal([]);
  });

  it('sends the host’s --sm-* properties and font into the frame when it is ready, to our origin only', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north" style="--sm-accent: rgb(1, 2, 3); font-family: Georgia"></sm-messages>`);
    await loaded(el);
    inFrame(el, `window.addEventListener('message', (e) => { window.__theme = { data: e.data, origin: e.origin }; }); parent.postMessage({ type: 'sm:ready' }, location.origin)`);
    await waitUntil(() => inFrame(el, 'window.__theme'), 'the theme reached the frame');
    const got = inFrame(el, 'window.__theme') as { data: { type: string; vars: Record<string, string>; fontFamily: string }; origin: string };
    expect(got.data.type).to.equal('sm:theme');
    expect(got.data.vars['--sm-accent']).to.equal('rgb(1, 2, 3)');
    expect(got.data.fontFamily).to.equal('Georgia');
    expect(got.origin).to.equal(location.origin);
  });
});

describe('embed loader on a site that cannot show the widget', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('says the site is not allowed (in the element’s language) and fires sm-error with a code, instead of the browser’s refusal', async () => {
    const asked: string[] = [];
    worker.use(
      http.get('/api/public/clinics/north/embed', ({ request }) => {
        asked.push(new URL(request.url).searchParams.get('origin')!);
        return HttpResponse.json({ allowed: false });
      }),
    );
    const wrapper = await fixture(html`<div></div>`);
    const errors: Array<{ code: string }> = [];
    wrapper.addEventListener('sm-error', (e) => errors.push((e as CustomEvent<{ code: string }>).detail));
    const el = document.createElement('sm-messages');
    el.setAttribute('clinic', 'north');
    el.setAttribute('lang', 'fr');
    wrapper.append(el);
    await waitUntil(() => el.shadowRoot!.querySelector('[part=error]'), 'the refusal is shown');
    expect(asked).to.deep.equal([location.origin]);
    expect(el.shadowRoot!.querySelector('iframe')).to.equal(null);
    const message = el.shadowRoot!.querySelector('[part=error]')!;
    expect(message.getAttribute('role')).to.equal('alert');
    expect(message.textContent).to.contain('ne peut pas s’afficher sur ce site').and.contain(location.origin);
    expect(errors).to.deep.equal([{ code: 'origin_not_allowed' }]);
    await expect(el).to.be.accessible();
  });

  it('says the clinic is unknown', async () => {
    worker.use(http.get('/api/public/clinics/nowhere/embed', () => HttpResponse.json({ code: 'not_found', message: 'Clinic not found', requestId: 'r' }, { status: 404 })));
    const el = await fixture<SmMessages>(html`<sm-messages clinic="nowhere" lang="en"></sm-messages>`);
    const error = (await oneEvent(el, 'sm-error')) as CustomEvent<{ code: string }>;
    expect(error.detail).to.deep.equal({ code: 'unknown_clinic' });
    expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).to.contain('could not be found');
  });

  it('keeps the frame when the site is allowed', async () => {
    let answered = false;
    worker.use(http.get('/api/public/clinics/north/embed', () => ((answered = true), HttpResponse.json({ allowed: true }))));
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north"></sm-messages>`);
    await waitUntil(() => answered, 'the loader asked');
    await new Promise((r) => setTimeout(r));
    expect(el.shadowRoot!.querySelector('iframe')).to.be.instanceOf(HTMLIFrameElement);
    expect(el.shadowRoot!.querySelector('[part=error]')).to.equal(null);
  });
});
