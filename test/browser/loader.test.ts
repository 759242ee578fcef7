import { expect, fixture as litFixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../widget/loader.js';
import { EMBED_EVENTS } from '../../widget/events.js';
import type { HostToFrame } from '../../widget/protocol.js';
import type { SmMessages } from '../../widget/sm-messages.js';
import { startWorker, worker } from './msw.js';

/** Tasks the loader queued (it inserts each frame in a task of its own) have run. */
const tasksRun = () => new Promise((resolve) => setTimeout(resolve));

/** A fixture once its frame is in place. */
async function fixture<T extends Element>(template: Parameters<typeof litFixture>[0]): Promise<T> {
  const el = await litFixture<T>(template);
  await tasksRun();
  return el;
}

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
    await tasksRun();
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

  it('re-fires the frame’s sm-* events on the element, bubbling and composed, with an empty detail', async () => {
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
    expect(event.detail).to.deep.equal({});
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

/** Starts recording, inside the frame, what the loader posts to it, then says the frame is ready. */
function frameReady(el: HTMLElement): () => HostToFrame[] {
  inFrame(el, `window.__got = []; window.addEventListener('message', (e) => window.__got.push(e.data)); parent.postMessage({ type: 'sm:ready' }, location.origin)`);
  return () => inFrame(el, 'window.__got') as HostToFrame[];
}

describe('embed loader: events, programmatic API, live theme, reserved height', () => {
  afterEach(() => {
    document.documentElement.classList.remove('dark-page');
    document.body.classList.remove('unrelated');
  });

  it('fires sm-ready with its view, then each of the frame’s events once, with a detail rebuilt from a fixed vocabulary', async () => {
    const el = await fixture<HTMLElement>(html`<sm-booking clinic="north"></sm-booking>`);
    await loaded(el);
    const seen: Array<[string, unknown]> = [];
    for (const name of [...EMBED_EVENTS, 'sm-anything']) el.addEventListener(name, (e) => seen.push([name, (e as CustomEvent).detail]));
    frameReady(el);
    for (const message of [
      { type: 'sm:event', name: 'sm-message-sent', detail: { kind: 'reply', subject: 'My prescription' } },
      { type: 'sm:event', name: 'sm-message-sent', detail: { kind: '<b>' } },
      { type: 'sm:event', name: 'sm-anything' },
      { type: 'sm:event', name: 'sm-signed-out' },
    ]) {
      inFrame(el, `parent.postMessage(${JSON.stringify(message)}, location.origin)`);
    }
    await waitUntil(() => seen.some(([name]) => name === 'sm-signed-out'), 'the last event arrived');
    expect(seen).to.deep.equal([
      ['sm-ready', { view: 'booking' }],
      ['sm-message-sent', { kind: 'reply' }],
      ['sm-message-sent', { kind: 'conversation' }],
      ['sm-signed-out', {}],
    ]);
  });

  it('sends the theme again whenever the page changes it (the element’s style, a class on <html>, dark mode), and only then', async () => {
    const sheet = document.createElement('style');
    sheet.textContent = '.dark-page sm-messages { --sm-background: #111111; } @media (prefers-color-scheme: dark) { sm-messages { --sm-text: #eeeeee; } }';
    document.head.append(sheet);
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north" style="--sm-accent: rgb(1, 2, 3)"></sm-messages>`);
    await loaded(el);
    const got = frameReady(el);
    const themes = () => got().filter((m) => m.type === 'sm:theme');
    await waitUntil(() => themes().length === 1, 'the first theme');
    el.style.setProperty('--sm-accent', 'rgb(4, 5, 6)');
    await waitUntil(() => themes().length === 2, 'the element’s new style reached the frame');
    expect(themes()[1]).to.deep.include({ vars: { '--sm-accent': 'rgb(4, 5, 6)' } });
    document.body.classList.add('unrelated'); // changes no --sm-* property: nothing is sent
    await new Promise((r) => setTimeout(r));
    document.documentElement.classList.add('dark-page');
    await waitUntil(() => themes().length >= 3, 'the page’s dark class reached the frame');
    expect(themes().length).to.equal(3);
    expect(themes()[2]).to.deep.include({ vars: { '--sm-accent': 'rgb(4, 5, 6)', '--sm-background': '#111111' } });
    await emulateMedia({ colorScheme: 'dark' });
    try {
      await waitUntil(() => themes().length === 4, 'the dark colour scheme reached the frame');
      expect((themes()[3] as { vars: Record<string, string> }).vars['--sm-text']).to.equal('#eeeeee');
    } finally {
      await emulateMedia({ colorScheme: 'light' });
      sheet.remove();
    }
  });

  it('switches the frame’s language live when lang changes (attribute or property), without reloading it', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north" lang="en"></sm-messages>`);
    const frame = await loaded(el);
    const src = frame.src;
    const got = frameReady(el);
    el.lang = 'fr';
    await waitUntil(() => got().some((m) => m.type === 'sm:lang'), 'the language reached the frame');
    expect(got().find((m) => m.type === 'sm:lang')).to.deep.equal({ type: 'sm:lang', lang: 'fr' });
    expect(el.shadowRoot!.querySelector('iframe')).to.equal(frame);
    expect(frame.src).to.equal(src, 'not reloaded');
    expect(frame.title).to.equal('Messages sécurisés avec votre clinique');
  });

  it('open() brings the widget into view and focus to its heading; signOut() asks the frame to sign out', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north"></sm-messages>`);
    const frame = await loaded(el);
    const got = frameReady(el);
    el.open();
    await waitUntil(() => got().some((m) => m.type === 'sm:focus'), 'the frame was asked to focus its heading');
    expect(el.shadowRoot!.activeElement).to.equal(frame);
    el.signOut();
    await waitUntil(() => got().some((m) => m.type === 'sm:sign-out'), 'the frame was asked to sign out');
  });

  it('reserves its height before the frame reports one and never shrinks below it, so the page does not jump', async () => {
    const wrapper = await fixture(html`<div><sm-messages clinic="north" style="--sm-min-height: 10rem"></sm-messages><sm-booking clinic="north"></sm-booking></div>`);
    const [small, standard] = [wrapper.querySelector('sm-messages')!, wrapper.querySelector('sm-booking')!];
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    expect(standard.getBoundingClientRect().height).to.equal(18 * rem, 'the default reservation');
    expect(small.getBoundingClientRect().height).to.equal(10 * rem, '--sm-min-height');
    const frame = await loaded(small);
    inFrame(small, `parent.postMessage({ type: 'sm:resize', height: 40 }, location.origin)`);
    await waitUntil(() => frame.style.height === '40px');
    expect(small.getBoundingClientRect().height).to.equal(10 * rem, 'a short “loading” frame leaves the space reserved');
    inFrame(small, `parent.postMessage({ type: 'sm:resize', height: 500 }, location.origin)`);
    await waitUntil(() => frame.style.height === '500px');
    expect(small.getBoundingClientRect().height).to.equal(500);
  });
});

describe('embed loader: launcher mode', () => {
  it('shows a floating button whose name gives the unread count (English and French), takes no room in the page, and loads the frame hidden', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north" mode="launcher" lang="en"></sm-messages>`);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part=launcher]')!;
    expect(getComputedStyle(button).position).to.equal('fixed');
    expect(el.getBoundingClientRect().height).to.equal(0);
    expect(button.getAttribute('aria-label')).to.equal('Messages');
    expect(button.getAttribute('aria-haspopup')).to.equal('dialog');
    const frame = await loaded(el);
    expect(frame.closest('dialog')!.open).to.equal(false);
    frameReady(el);
    inFrame(el, `parent.postMessage({ type: 'sm:unread', count: 2 }, location.origin)`);
    await waitUntil(() => button.getAttribute('aria-label') === 'Messages, 2 unread', 'the count is in the name');
    expect(el.shadowRoot!.querySelector('[part=badge]')!.textContent).to.equal('2');
    el.lang = 'fr';
    expect(button.getAttribute('aria-label')).to.equal('Messages, 2 non lus');
    inFrame(el, `parent.postMessage({ type: 'sm:unread', count: 1 }, location.origin)`);
    await waitUntil(() => button.getAttribute('aria-label') === 'Messages, 1 non lu', 'singular in French');
    inFrame(el, `parent.postMessage({ type: 'sm:unread', count: 0 }, location.origin)`);
    await waitUntil(() => button.getAttribute('aria-label') === 'Messages');
    expect(getComputedStyle(el.shadowRoot!.querySelector('[part=badge]')!).display).to.equal('none');
    await expect(el).to.be.accessible();
  });

  it('keeps the launcher’s text readable on whatever accent the page sets, live', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north" mode="launcher" style="--sm-accent: #7cc4a4; --sm-accent-contrast: #ffffff"></sm-messages>`);
    await waitUntil(() => el.shadowRoot!.querySelector('[part=launcher]'), 'the launcher is shown');
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part=launcher]')!;
    expect(getComputedStyle(button).color).to.equal('rgb(0, 0, 0)', 'black on a pale green, whatever --sm-accent-contrast says');
    el.style.setProperty('--sm-accent', '#24543f');
    await waitUntil(() => getComputedStyle(button).color === 'rgb(255, 255, 255)', 'white on a dark green');
  });

  it('opens a modal dialog from the keyboard with focus in the frame’s heading; Escape closes it and focus returns to the button', async () => {
    const el = await fixture<SmMessages>(html`<sm-messages clinic="north" mode="launcher" lang="en"></sm-messages>`);
    await loaded(el);
    const got = frameReady(el);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part=launcher]')!;
    const dialog = el.shadowRoot!.querySelector('dialog')!;
    button.focus();
    await sendKeys({ press: 'Enter' });
    expect(dialog.open).to.equal(true);
    expect(dialog.matches(':modal')).to.equal(true);
    expect(dialog.getAttribute('aria-label')).to.equal('Secure messages with your clinic');
    expect(el.shadowRoot!.activeElement).to.equal(el.shadowRoot!.querySelector('iframe'));
    await waitUntil(() => got().some((m) => m.type === 'sm:focus'), 'the frame was asked to focus its heading');
    await expect(el).to.be.accessible();
    // Escape pressed in the frame: the frame tells the loader (see host-bridge.ts; end to end in embed-api.test.ts).
    inFrame(el, `parent.postMessage({ type: 'sm:escape' }, location.origin)`);
    await waitUntil(() => !dialog.open, 'Escape in the frame closed the dialog');
    expect(el.shadowRoot!.activeElement).to.equal(button);
    el.open();
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part=close]')!.focus();
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !dialog.open, 'Escape on the page closed the dialog');
    expect(el.shadowRoot!.activeElement).to.equal(button);
    el.open();
    expect(dialog.open).to.equal(true);
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part=close]')!.click();
    expect(dialog.open).to.equal(false);
    expect(el.shadowRoot!.querySelector('[part=close]')!.textContent).to.equal('Close');
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
    // Listened for before the element exists: the embed check may answer before fixture() returns.
    const seen = new Promise<CustomEvent<{ code: string }>>((resolve) => document.addEventListener('sm-error', (e) => resolve(e as CustomEvent<{ code: string }>), { once: true }));
    const el = await fixture<SmMessages>(html`<sm-messages clinic="nowhere" lang="en"></sm-messages>`);
    const error = await seen;
    expect(error.detail).to.deep.equal({ code: 'unknown_clinic' });
    await waitUntil(() => el.shadowRoot!.querySelector('[part=error]'), 'the message shows');
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
