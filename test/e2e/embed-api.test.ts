/**
 * Issue 12 (Embed conventions), end to end on the demo clinic's site: the custom-elements manifest
 * lists everything the elements really have, the launcher works from the keyboard with its unread
 * badge, sm-message-sent fires once, and the page does not jump while the widgets load.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStaffThread } from '../../server/domain/threads.js';
import { messagingContext } from '../../server/routes/messaging-context.js';
import { EMBED_EVENTS } from '../../widget/events.js';
import { THEME_VARS } from '../../widget/protocol.js';
import type { FrameLocator } from 'playwright-core';
import { codeFrom } from '../support/smtp.js';
import { DEMO_PATIENT, DEMO_SLUG } from '../../server/demo-seed.js';
import { axeViolations, chooseCategory, newPage, startHarness, type Harness } from './harness.js';

const TAGS = ['sm-messages', 'sm-questionnaire', 'sm-booking'] as const;

interface Declaration {
  tagName?: string;
  attributes?: Array<{ name: string }>;
  events?: Array<{ name: string; description?: string }>;
  cssParts?: Array<{ name: string }>;
  cssProperties?: Array<{ name: string }>;
  members?: Array<{ name: string; kind: string }>;
}

/** The demo patient signs in inside `frame` (the page is already open). */
async function signsIn(h: Harness, frame: FrameLocator): Promise<FrameLocator> {
  await frame.getByLabel('E-mail address').fill(DEMO_PATIENT.email);
  await frame.getByRole('button', { name: 'E-mail me a code' }).click();
  await frame.getByLabel('6-digit code').fill(codeFrom(await h.smtp.take(DEMO_PATIENT.email)));
  await frame.getByLabel('Date of birth').fill(DEMO_PATIENT.dateOfBirth);
  await frame.getByRole('button', { name: 'Sign in' }).click();
  await frame.getByRole('button', { name: 'I understand and agree' }).click();
  await frame.getByRole('button', { name: 'New message' }).waitFor();
  return frame;
}

const names = (list: Array<{ name: string }> | undefined) => (list ?? []).map((x) => x.name).sort();

describe('end to end: embed conventions for clinic webmasters', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('serves a custom-elements.json that lists every element, attribute, event, part and CSS property the elements really have', async () => {
    const res = await fetch(`${h.product.publicUrl}/widget/custom-elements.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /json/);
    const manifest = (await res.json()) as { schemaVersion: string; modules: Array<{ declarations?: Declaration[] }> };
    assert.ok(manifest.schemaVersion);
    const declared = new Map(manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName).map((d) => [d.tagName!, d]));
    assert.deepEqual([...declared.keys()].sort(), [...TAGS].sort(), 'every element, and only those');

    // What the elements really have, read from the running loader on the clinic's site: their
    // observed attributes, and the parts they render inline, as a launcher and when they cannot show.
    const page = await newPage(h.browser);
    await page.goto(h.product.demoUrl!);
    const actual = await page.evaluate(async (tags) => {
      const parts = (el: Element) => [...el.shadowRoot!.querySelectorAll('[part]')].map((p) => p.getAttribute('part')!);
      const out: Record<string, { attributes: string[]; parts: string[]; methods: string[] }> = {};
      for (const tag of tags) {
        const ctor = customElements.get(tag) as unknown as { observedAttributes: string[]; prototype: object };
        const inline = document.createElement(tag);
        inline.setAttribute('clinic', 'demo');
        const launcher = document.createElement(tag);
        launcher.setAttribute('clinic', 'demo');
        launcher.setAttribute('mode', 'launcher');
        const unknown = document.createElement(tag);
        unknown.setAttribute('clinic', 'no-such-clinic');
        document.body.append(inline, launcher, unknown);
        await new Promise<void>((resolve) => unknown.addEventListener('sm-error', () => resolve(), { once: true }));
        const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(ctor.prototype)).filter((n) => n !== 'constructor' && typeof (inline as unknown as Record<string, unknown>)[n] === 'function' && !n.endsWith('Callback'));
        out[tag] = { attributes: [...ctor.observedAttributes].sort(), parts: [...new Set([...parts(inline), ...parts(launcher), ...parts(unknown)])].sort(), methods: methods.sort() };
        for (const el of [inline, launcher, unknown]) el.remove();
      }
      return out;
    }, TAGS);
    const loaderSource = fs.readFileSync(path.join(h.webRoot, 'widget.js'), 'utf8');
    const usedProperties = [...new Set(loaderSource.match(/--sm-[a-z-]+/g))].sort();

    for (const tag of TAGS) {
      const d = declared.get(tag)!;
      assert.deepEqual(names(d.attributes), actual[tag]!.attributes, `${tag}: attributes`);
      assert.deepEqual(names(d.events), [...EMBED_EVENTS].sort(), `${tag}: events`);
      for (const e of d.events!) assert.ok(e.description, `${tag}: ${e.name} is described`);
      assert.deepEqual(names(d.cssParts), actual[tag]!.parts, `${tag}: parts`);
      for (const property of [...THEME_VARS, ...usedProperties]) assert.ok(names(d.cssProperties).includes(property), `${tag}: ${property} is documented`);
      const documentedMethods = (d.members ?? []).filter((m) => m.kind === 'method').map((m) => m.name).sort();
      assert.deepEqual(documentedMethods, actual[tag]!.methods, `${tag}: methods`);
      assert.ok(names(d.members).includes('lang'), `${tag}: the lang property`);
    }
    await page.context().close();
  });

  it('launcher: the unread badge counts the clinic’s reply, the dialog opens from the keyboard with focus in the widget, Escape closes it; sm-message-sent fires once', async () => {
    const page = await newPage(h.browser);
    await page.addInitScript((events) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      for (const name of events) document.addEventListener(name, (e) => seen.push(`${(e.target as Element).tagName.toLowerCase()} ${name} ${JSON.stringify((e as CustomEvent).detail)}`));
    }, [...EMBED_EVENTS]);
    await page.goto(h.product.demoUrl!);
    // The webmaster adds a launcher to the page; it shares the sign-in made in the page's own widget.
    await page.evaluate(() => {
      const el = document.createElement('sm-messages');
      el.setAttribute('clinic', 'demo');
      el.setAttribute('mode', 'launcher');
      document.body.append(el);
    });
    const inline = await signsIn(h, page.frameLocator('sm-messages:not([mode]) iframe'));
    const seen = () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);

    // The patient starts a conversation in the page's widget.
    await inline.getByRole('button', { name: 'New message' }).click();
    await inline.getByLabel('Subject').fill('A question');
    await chooseCategory(inline);
    await inline.getByLabel('Your message').fill('Is the clinic open on Saturday?');
    await inline.getByRole('button', { name: 'Send' }).click();
    await inline.getByRole('status').filter({ hasText: 'Message sent.' }).waitFor();
    await inline.getByRole('button', { name: 'Back to conversations' }).click();
    await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.some((e) => e.includes('sm-message-sent')));

    const launcher = page.locator('sm-messages[mode=launcher]');
    const button = launcher.getByRole('button', { name: /^Messages/ });
    // The clinic's automatic answer (outside its hours) was read in the page's widget: the launcher's count follows, live.
    await launcher.getByRole('button', { name: 'Messages', exact: true }).waitFor();

    // The clinic writes the patient a new conversation: the badge (conversations with unread messages) counts it, live.
    const clinic = await h.product.deps.db.selectFrom('clinics').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirstOrThrow();
    const staff = await h.product.deps.db.selectFrom('staff').select('id').where('clinic_id', '=', clinic.id).where('role', '=', 'admin').executeTakeFirstOrThrow();
    const thread = await h.product.deps.db.selectFrom('threads').select(['id', 'patient_id']).where('clinic_id', '=', clinic.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const ctx = await messagingContext(h.product.deps, clinic.id);
    await startStaffThread(ctx, { kind: 'staff', clinicId: clinic.id, staffId: staff.id, role: 'admin' }, { id: randomUUID(), patientId: thread.patient_id, subject: 'Saturday hours', category: ctx.settings.categories[0]?.id ?? '', body: 'Yes, 9 to noon.', attachmentIds: [], patientMayReply: true });
    await launcher.getByRole('button', { name: 'Messages, 1 unread' }).waitFor();

    // Keyboard: the button opens a modal dialog with focus on the widget's heading.
    await button.focus();
    await page.keyboard.press('Enter');
    const dialog = launcher.locator('dialog');
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true);
    const framed = page.frameLocator('sm-messages[mode=launcher] iframe');
    const heading = framed.getByRole('heading', { name: 'Secure messages', exact: true });
    await heading.waitFor();
    const where = () => page.evaluate(() => {
      const el = document.querySelector('sm-messages[mode=launcher]')!;
      return `${document.activeElement === el} ${el.shadowRoot!.activeElement?.tagName}`;
    });
    assert.equal(await where(), 'true IFRAME', 'focus in the dialog’s frame');
    await heading.evaluate((el) => new Promise<void>((resolve) => (function check() { if ((el.getRootNode() as ShadowRoot).activeElement === el) resolve(); else requestAnimationFrame(check); })()));
    assert.deepEqual(await axeViolations(page), []);

    // Reading the clinic's message takes the badge back down; Escape (pressed inside the frame) closes the dialog and focus returns to the button.
    await framed.getByRole('button', { name: /Saturday hours/ }).click();
    await framed.getByText('Yes, 9 to noon.').waitFor();
    await launcher.getByRole('button', { name: 'Messages', exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await launcher.evaluate((el) => el.shadowRoot!.activeElement?.getAttribute('part')), 'launcher');

    const sent = (await seen()).filter((e) => e.includes('sm-message-sent'));
    assert.deepEqual(sent, ['sm-messages sm-message-sent {"kind":"conversation"}'], 'once per message, with no text');
    assert.equal((await seen()).some((e) => e.includes('Saturday') || e.includes('A question')), false);
    await page.context().close();
  });

  it('keeps the demo page still while the widgets load (cumulative layout shift under 0.1)', async () => {
    const page = await newPage(h.browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.addInitScript(() => {
      const w = window as unknown as { cls: number };
      w.cls = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean }>) if (!entry.hadRecentInput) w.cls += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(h.product.demoUrl!);
    for (const tag of TAGS) await page.frameLocator(`${tag} iframe`).getByRole('button', { name: 'E-mail me a code' }).waitFor();
    // The frames in view have reported their height (the last step that could move the page).
    await page.waitForFunction(() => ['sm-messages', 'sm-questionnaire'].every((tag) => document.querySelector(tag)!.shadowRoot!.querySelector('iframe')!.style.height !== ''));
    const cls = await page.evaluate(() => (window as unknown as { cls: number }).cls);
    assert.ok(cls < 0.1, `layout shift ${cls.toFixed(3)} stays under 0.1`);
    await page.context().close();
  });
});
