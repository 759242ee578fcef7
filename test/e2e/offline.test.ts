/**
 * Offline end to end (Chromium, playwright-core): the service worker, the on-device outbox with its
 * exactly-once delivery, refusals, encryption on the device and wiping it, and the update prompt.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { DEMO_PATIENT, DEMO_SLUG } from '../../server/demo-seed.js';
import { clinicCipher, getClinicBySlug } from '../../server/domain/clinics.js';
import { DEFAULT_MESSAGING, saveMessagingSettings } from '../../server/domain/messaging-settings.js';
import { chooseCategory, newPage, patientSignsIn, startHarness, type Harness } from './harness.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as typeof DEFAULT_MESSAGING.hours;

/** The frame as a Frame (for evaluate), found by its URL. */
async function messagesFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const f = page.frames().find((fr) => fr.url().includes('/frame/messages'));
    if (f) return f;
    await page.waitForTimeout(50);
  }
  throw new Error('no messages frame');
}

/** Waits until the service worker runs the frame and has cached the frame page (and, on the portal, the page around it and its loader). */
async function untilCachedForOffline(page: Page): Promise<void> {
  const frame = await messagesFrame(page);
  await frame.evaluate(async () => {
    await navigator.serviceWorker.ready;
    // On our portal the page around the frame is cached too.
    const pages = window.parent.location.origin === location.origin ? [location.href, window.parent.location.href, '/widget.js'] : [location.href];
    // Up to 30 s: the worker installs and precaches first, which a loaded machine makes slow.
    for (let i = 0; i < 600; i++) {
      if ((await Promise.all(pages.map((p) => caches.match(p)))).every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('frame page never cached');
  });
}

/** Every value stored in the frame's IndexedDB databases, serialised with buffers decoded as text. */
function rawDeviceData(frame: Frame): Promise<{ names: string[]; text: string }> {
  return frame.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name!).filter(Boolean);
    const parts: string[] = [];
    const dump = (v: unknown): unknown => {
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new TextDecoder('latin1').decode(v as ArrayBuffer);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dump(x)]));
      return v;
    };
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of db.objectStoreNames) {
        const rows = await new Promise<unknown[]>((res) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
        });
        parts.push(JSON.stringify(rows.map(dump)));
      }
      db.close();
    }
    return { names, text: parts.join('\n') };
  });
}

/** Waits (up to 30 s: the device session starts after sign-in, slowly on a loaded machine) until the frame's device database holds a saved draft. */
async function untilDraftSaved(page: Page): Promise<void> {
  const frame = await messagesFrame(page);
  await frame.evaluate(async (name) => {
    for (let i = 0; i < 600; i++) {
      const count = await new Promise<number>((resolve) => {
        const open = indexedDB.open(name);
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('drafts')) return (db.close(), resolve(0));
          const req = db.transaction('drafts').objectStore('drafts').count();
          req.onsuccess = () => (db.close(), resolve(req.result));
        };
      });
      if (count > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no draft saved');
  }, `sm-patient-${DEMO_SLUG}`);
}

async function writeReply(frame: FrameLocator, text: string) {
  await frame.getByLabel('Your reply').fill(text);
  await frame.getByRole('button', { name: 'Send' }).click();
  await frame.getByRole('status').filter({ hasText: 'Saved on this device' }).waitFor({ timeout: 5000 }).catch(async (err: Error) => {
    const shown = await frame.locator('sm-frame-app').evaluate((el) => {
      const text = (n: Node): string => (n instanceof Element && n.shadowRoot ? text(n.shadowRoot) : '') + [...n.childNodes].map((c) => (c.nodeType === 3 ? c.textContent : text(c))).join(' ');
      return text(el).replace(/\s+/g, ' ');
    });
    throw new Error(`${err.message}\nThe frame shows: ${shown}`);
  });
}

/** Each test's bound (not the file's: eight tests on a loaded 2-core machine take longer than 90 s together). */
const EACH = { timeout: 90_000 };

describe('end to end: offline', () => {
  let h: Harness;
  let threadCount = 0;

  before(async () => {
    h = await startHarness({ copyWebRoot: true });
    const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
    await saveMessagingSettings(h.product.deps.db, clinic.id, { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, weeklyThreadQuota: null });
  });
  after(() => h?.close());

  /** The clinic's patient portal: the frames are first-party there, so the browser lets them store. */
  const portal = () => `${h.product.publicUrl}/p/${DEMO_SLUG}`;

  /** Starts a conversation online and opens it; returns its id. */
  async function openNewThread(frame: FrameLocator): Promise<string> {
    const subject = `Offline test ${++threadCount}`;
    await frame.getByRole('button', { name: 'New message' }).click();
    await frame.getByLabel('Subject').fill(subject);
    await chooseCategory(frame);
    await frame.getByLabel('Your message').fill('Started online.');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('heading', { name: subject }).waitFor();
    const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
    const threads = await h.product.deps.db.selectFrom('threads').select(['id', 'subject_enc']).where('clinic_id', '=', clinic.id).execute();
    const cipher = clinicCipher(h.product.deps.keyring, clinic);
    return threads.find((t) => cipher.decrypt(t.subject_enc, 'thread.subject') === subject)!.id;
  }

  async function patientBodies(threadId: string): Promise<string[]> {
    const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
    const cipher = clinicCipher(h.product.deps.keyring, clinic);
    const rows = await h.product.deps.db.selectFrom('messages').select(['body_enc', 'author_type']).where('thread_id', '=', threadId).orderBy('created_at').orderBy('id').execute();
    return rows.filter((r) => r.author_type === 'patient').map((r) => cipher.decrypt(r.body_enc, 'message.body'));
  }

  it('queues three messages offline, survives a reload of the frame with no network, then delivers each exactly once, in order', EACH, async () => {
    const page = await newPage(h.browser);
    const frame = await patientSignsIn(h, page, portal());
    const threadId = await openNewThread(frame);
    await untilCachedForOffline(page);

    await page.context().setOffline(true);
    await frame.getByText('You are offline.').waitFor();
    for (const n of ['one', 'two', 'three']) await writeReply(frame, `Offline message ${n}`);
    await frame.getByText('Offline message three').waitFor();

    const raw = await rawDeviceData(await messagesFrame(page));
    assert.ok(raw.names.includes(`sm-patient-${DEMO_SLUG}`), 'the outbox is in IndexedDB');
    assert.equal(raw.text.includes('Offline message'), false, 'queued text is encrypted on the device');

    // The frame reloads with no network: served by the service worker, the queue is still there.
    const reloaded = await messagesFrame(page);
    await reloaded.evaluate(() => location.reload());
    await frame.getByText('You are offline.').waitFor();
    await frame.getByText('The text of this message shows again once you are back online.').first().waitFor();
    assert.equal(await frame.getByRole('list', { name: 'Waiting to send' }).getByRole('listitem').count(), 3);
    // The clinic's rules were kept (stale-while-revalidate): a new conversation can still be written.
    await frame.getByRole('button', { name: 'New message' }).click();
    await frame.getByText('The clinic answers within 2 business days.').waitFor();
    await frame.getByRole('button', { name: 'Back' }).click();
    assert.deepEqual(await patientBodies(threadId), ['Started online.'], 'nothing reached the server yet');

    await page.context().setOffline(false);
    await frame.getByRole('button', { name: 'New message' }).waitFor();
    for (let i = 0; i < 100 && (await patientBodies(threadId)).length < 4; i++) await page.waitForTimeout(100);
    await frame.getByText('Waiting to send', { exact: true }).first().waitFor({ state: 'detached' });
    assert.deepEqual(await patientBodies(threadId), ['Started online.', 'Offline message one', 'Offline message two', 'Offline message three']);
    await page.context().close();
  });

  it('delivers exactly once when the connection drops in the middle of sending', EACH, async () => {
    const page = await newPage(h.browser, { serviceWorkers: 'block' });
    const frame = await patientSignsIn(h, page, portal());
    const threadId = await openNewThread(frame);
    await page.context().setOffline(true);
    for (const n of ['A', 'B', 'C']) await writeReply(frame, `Flaky ${n}`);

    // The first delivery reaches the server, but its answer is lost on the way back.
    let dropped = 0;
    await page.context().route('**/api/patient/threads/*/messages', async (route) => {
      if (route.request().method() === 'POST' && dropped === 0) {
        dropped++;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.context().setOffline(false);
    for (let i = 0; i < 200 && (await frame.getByText('Waiting to send', { exact: true }).count()) > 0; i++) await page.waitForTimeout(100);
    assert.equal(dropped, 1, 'the connection really dropped once');
    assert.deepEqual(await patientBodies(threadId), ['Started online.', 'Flaky A', 'Flaky B', 'Flaky C']);
    await page.context().close();
  });

  it('keeps a message the server refuses visible with the reason and the text; sign-out leaves nothing readable', EACH, async () => {
    const page = await newPage(h.browser, { serviceWorkers: 'block' });
    const frame = await patientSignsIn(h, page, portal());
    const threadId = await openNewThread(frame);
    await page.context().setOffline(true);
    await writeReply(frame, 'Written after the clinic closed this');
    await frame.getByLabel('Your reply').fill('An unsent draft about my rash');
    await untilDraftSaved(page);

    const staff = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const login = await fetch(`${h.product.publicUrl}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: h.product.publicUrl }, body: JSON.stringify({ email: staff.email, password: staff.password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const close = await fetch(`${h.product.publicUrl}/api/threads/${threadId}`, { method: 'PATCH', headers: { 'content-type': 'application/json', origin: h.product.publicUrl, cookie }, body: JSON.stringify({ status: 'closed' }) });
    assert.equal(close.status, 200);

    await page.context().setOffline(false);
    await frame.getByText(/Not sent: This conversation is closed/).waitFor();
    await frame.getByText('Written after the clinic closed this').waitFor();
    assert.deepEqual(await patientBodies(threadId), ['Started online.']);

    const f = await messagesFrame(page);
    const before = await rawDeviceData(f);
    assert.ok(before.text.length > 0, 'the refused message and the draft are on the device');
    for (const secret of ['Written after', 'rash', DEMO_PATIENT.name, DEMO_PATIENT.email]) assert.equal(before.text.includes(secret), false, `no plaintext "${secret}" on the device`);

    const keysBefore = (await h.product.deps.db.selectFrom('device_keys').select('key_id').execute()).length;
    await frame.getByRole('button', { name: 'Sign out' }).click();
    await frame.getByLabel('E-mail address').waitFor();
    const afterSignOut = await rawDeviceData(f);
    assert.equal(afterSignOut.names.includes(`sm-patient-${DEMO_SLUG}`), false, 'the device database is deleted');
    for (const secret of ['Written after', 'rash']) assert.equal(afterSignOut.text.includes(secret), false);
    const keysAfter = (await h.product.deps.db.selectFrom('device_keys').select('key_id').execute()).length;
    assert.equal(keysAfter, keysBefore - 1, "the session's private key is gone from the server too");
    await page.context().close();
  });

  it('shows the clinic’s current rules on the first load after they change; the stored copy is for when the network is down', EACH, async () => {
    const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
    const open = { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, weeklyThreadQuota: null };
    const page = await newPage(h.browser);
    let frame = await patientSignsIn(h, page, portal());
    await untilCachedForOffline(page);
    // The service worker holds a copy of the two-way rules.
    await (await messagesFrame(page)).evaluate(async (slug) => {
      for (let i = 0; i < 600; i++) {
        const urls = await Promise.all((await caches.keys()).map(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)));
        if (urls.flat().some((u) => u.includes(`/api/public/clinics/${slug}/messaging`))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the rules were never cached');
    }, DEMO_SLUG);
    try {
      // The clinic switches to reply-only: the very next load must not offer "New message".
      await saveMessagingSettings(h.product.deps.db, clinic.id, { ...open, mode: 'reply-only' });
      await page.reload();
      frame = page.frameLocator('sm-messages iframe');
      await frame.getByRole('heading', { name: 'Your conversations' }).waitFor();
      assert.equal(await frame.getByRole('button', { name: 'New message' }).count(), 0, 'reply-only from the first load');
      // With no network, the stored rules still show the page.
      await page.context().setOffline(true);
      await page.reload();
      await page.frameLocator('sm-messages iframe').getByText('You are offline.').waitFor();
    } finally {
      await saveMessagingSettings(h.product.deps.db, clinic.id, open);
      await page.context().close();
    }
  });

  it('keeps a draft while typing and puts it back', EACH, async () => {
    const page = await newPage(h.browser, { serviceWorkers: 'block' });
    const frame = await patientSignsIn(h, page, portal());
    await frame.getByRole('button', { name: 'New message' }).click();
    await frame.getByLabel('Your message').fill(`Draft ${randomUUID()}`);
    const typed = await frame.getByLabel('Your message').inputValue();
    await untilDraftSaved(page);
    await page.reload();
    await frame.getByRole('button', { name: 'New message' }).click();
    // Put back once the device session and its keys are ready: up to 30 s on a loaded machine, as above.
    for (let i = 0; i < 300 && (await frame.getByLabel('Your message').inputValue()) !== typed; i++) await page.waitForTimeout(100);
    assert.equal(await frame.getByLabel('Your message').inputValue(), typed);
    await page.context().close();
  });

  /** A physician signed in to the admin, and a conversation they started with the demo patient. */
  async function staffWithThread(page: Page): Promise<string> {
    const physician = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    await page.goto(`${h.product.publicUrl}/admin/`);
    await page.getByLabel('E-mail').fill(physician.email);
    await page.getByLabel('Password').fill(physician.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
    const patient = await h.product.deps.db.selectFrom('patients').select('id').where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow();
    const started = await page.evaluate(async (patientId) => {
      const res = await fetch('/api/threads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: crypto.randomUUID(), patientId, subject: 'Your results', category: 'results', body: 'Your results are in.', patientMayReply: true }) });
      return (await res.json()) as { threadId: string };
    }, patient.id);
    return started.threadId;
  }

  async function untilAdminPrecached(page: Page) {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      for (let i = 0; i < 600; i++) {
        if (await caches.match('/admin/', { ignoreSearch: true })) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('admin shell never precached');
    });
  }

  it('opens the admin and the patient portal offline after one visit; a reply written offline is delivered once', EACH, async () => {
    const page = await newPage(h.browser);
    const threadId = await staffWithThread(page);
    await untilAdminPrecached(page);
    await page.goto(`${h.product.publicUrl}/admin/inbox/${threadId}`);
    await page.getByText('Your results are in.').waitFor();

    await page.context().setOffline(true);
    await page.getByLabel('Reply to the patient').fill('Please book a follow-up.');
    await page.waitForTimeout(600); // the draft autosaves after a pause in typing
    assert.equal(await page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name === 'sm-staff')), true);
    await page.getByRole('button', { name: 'Send to patient' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved on this device' }).waitFor();
    await page.getByText('Waiting to send').waitFor();

    await page.reload();
    await page.getByText('You are offline. What you write').waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).waitFor();

    await page.context().setOffline(false);
    const bodies = async () => {
      const clinic = await getClinicBySlug(h.product.deps.db, DEMO_SLUG);
      const cipher = clinicCipher(h.product.deps.keyring, clinic);
      const rows = await h.product.deps.db.selectFrom('messages').select('body_enc').where('thread_id', '=', threadId).orderBy('created_at').execute();
      return rows.map((r) => cipher.decrypt(r.body_enc, 'message.body'));
    };
    for (let i = 0; i < 100 && (await bodies()).length < 2; i++) await page.waitForTimeout(100);
    await page.waitForTimeout(500);
    assert.deepEqual(await bodies(), ['Your results are in.', 'Please book a follow-up.']);

    // The patient portal, visited once, opens with no network too.
    const patient = await newPage(h.browser);
    await patient.goto(portal());
    await untilCachedForOffline(patient);
    await patient.context().setOffline(true);
    await patient.reload();
    await patient.frameLocator('sm-messages iframe').getByLabel('E-mail address').waitFor();
    await patient.context().close();
    await page.context().close();
  });

  it('tells the person when a new version is deployed and switches on their say-so', EACH, async () => {
    const page = await newPage(h.browser);
    await staffWithThread(page);
    await untilAdminPrecached(page);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

    // A deployment: the worker's bytes change (here, by a marker; a real build changes its precache list).
    const sw = path.join(h.webRoot, 'sw.js');
    fs.appendFileSync(sw, '\n// deployment 2\n');
    // The build also writes the compressed copies the server sends (vite.config.ts): a deployment changes them too.
    fs.writeFileSync(`${sw}.br`, brotliCompressSync(fs.readFileSync(sw)));
    fs.writeFileSync(`${sw}.gz`, gzipSync(fs.readFileSync(sw)));
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    await page.getByText('A new version of this page is available.').waitFor();
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: 'Reload now' }).click();
    await reloaded;
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const state = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      return { waiting: Boolean(r?.waiting), active: Boolean(r?.active) };
    });
    assert.deepEqual(state, { waiting: false, active: true }, 'the new version now runs');
    assert.equal(await page.getByText('A new version of this page is available.').count(), 0);
    await page.context().close();
  });

  it('on a clinic site whose frames the browser forbids to store anything, says so and still sends online', EACH, async () => {
    // Playwright's contexts block third-party storage, as private windows and strict browsers do.
    const page = await newPage(h.browser);
    const frame = await patientSignsIn(h, page);
    await frame.getByText('This browser does not let us keep anything on this device').waitFor();
    await frame.getByRole('button', { name: 'New message' }).click();
    await frame.getByLabel('Subject').fill('Storage blocked');
    await chooseCategory(frame);
    await frame.getByLabel('Your message').fill('Sent without any storage.');
    await frame.getByRole('button', { name: 'Send' }).click();
    await frame.getByRole('status').filter({ hasText: 'Message sent.' }).waitFor();
    await page.context().close();
  });
});
