import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { codeFrom } from '../support/smtp.js';
import { DEMO_PATIENT } from '../../server/demo-seed.js';
import { axeViolations, freePort, newPage, startHarness, type Harness } from './harness.js';

describe('end to end: the demo clinic site, the widget and the admin', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('lets a patient sign in inside <sm-messages> on the clinic’s own site (another origin)', async () => {
    const page = await newPage(h.browser);
    assert.ok(h.product.demoUrl);
    assert.notEqual(new URL(h.product.demoUrl).origin, new URL(h.product.publicUrl).origin);
    await page.goto(h.product.demoUrl);
    await page.evaluate(() => {
      const w = window as unknown as { events: string[] };
      w.events = [];
      document.addEventListener('sm-signed-in', () => w.events.push('sm-signed-in'));
    });
    const frame = page.frameLocator('sm-messages iframe');
    await frame.getByLabel('E-mail address').fill(DEMO_PATIENT.email);
    // On the clinic's site the frame is sandboxed: it cannot navigate the clinic's page.
    assert.equal(await page.locator('sm-messages iframe').getAttribute('sandbox'), 'allow-scripts allow-same-origin allow-forms allow-downloads allow-popups allow-popups-to-escape-sandbox');
    await frame.getByRole('button', { name: 'E-mail me a code' }).click();
    const mail = await h.smtp.take(DEMO_PATIENT.email);
    assert.equal(mail.text.includes(DEMO_PATIENT.name), false);
    await frame.getByLabel('6-digit code').fill(codeFrom(mail));
    await frame.getByLabel('Date of birth').fill(DEMO_PATIENT.dateOfBirth);
    await frame.getByRole('button', { name: 'Sign in' }).click();
    await frame.getByRole('heading', { name: 'Before you start' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await frame.getByRole('button', { name: 'I understand and agree' }).click();
    await frame.getByText(`Signed in as ${DEMO_PATIENT.name}`).waitFor();

    assert.deepEqual(await page.evaluate(() => (window as unknown as { events: string[] }).events), ['sm-signed-in']);
    const hostHtml = await page.evaluate(() => document.documentElement.outerHTML);
    assert.equal(hostHtml.includes(DEMO_PATIENT.name), false, 'the patient’s name never enters the host page');

    const frameBox = await page.locator('sm-messages iframe').boundingBox();
    const contentHeight = await frame.locator('body').evaluate((b) => b.getBoundingClientRect().height);
    assert.ok(frameBox && Math.abs(frameBox.height - contentHeight) <= 1, `frame ${frameBox?.height}px fits its content ${contentHeight}px`);
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });

  it('shows the widget in French on the French page', async () => {
    const page = await newPage(h.browser, { locale: 'fr-CA' });
    await page.goto(`${h.product.demoUrl}/fr/`);
    const frame = page.frameLocator('sm-messages iframe');
    await frame.getByLabel('Adresse courriel').waitFor();
    assert.equal(await page.locator('sm-messages iframe').getAttribute('title'), 'Messages sécurisés avec votre clinique');
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });

  it('refuses to show the frame on a site that is not on the clinic’s list', async () => {
    const port = await freePort();
    const rogue = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><html lang="en"><title>rogue</title><script src="${h.product.publicUrl}/widget.js"></script><sm-messages clinic="demo"></sm-messages>`);
    });
    await new Promise<void>((resolve) => rogue.listen(port, '127.0.0.1', resolve));
    const page = await newPage(h.browser);
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { smErrors: string[] }).smErrors = seen;
      document.addEventListener('sm-error', (e) => seen.push((e as CustomEvent<{ code: string }>).detail.code));
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    // The frame's CSP refuses this site; the element says so in words and tells the page why.
    const message = page.locator('sm-messages [part=error]');
    await message.waitFor();
    assert.match((await message.textContent()) ?? '', new RegExp(`cannot be shown on this website.*add http://127\\.0\\.0\\.1:${port} to the allowed websites`));
    assert.deepEqual(await page.evaluate(() => (window as unknown as { smErrors: string[] }).smErrors), ['origin_not_allowed']);
    assert.equal(await page.locator('sm-messages iframe').count(), 0, 'no frame is left on the page');
    await page.context().close();
    await new Promise((resolve) => rogue.close(resolve));
  });

  it('lets an admin sign in, enrol a patient and find them, with every screen accessible in both languages', async () => {
    const admin = h.product.demoLogins!.find((l) => l.role === 'admin')!;
    const page = await newPage(h.browser);
    await page.goto(`${h.product.publicUrl}/admin/`);
    assert.deepEqual(await axeViolations(page), []);
    // Keyboard only: Tab into the form, type, Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('link', { name: 'Clinic settings' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Clinic settings' }).waitFor();
    await page.getByRole('link', { name: 'Patients' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Patients' }).waitFor();

    await page.getByRole('button', { name: 'Enrol a patient' }).click();
    await page.getByLabel('Full name').fill('Noor Haddad');
    await page.getByLabel('Date of birth').fill('1979-08-21');
    await page.getByLabel('E-mail', { exact: true }).fill('noor.haddad@example.com');
    await page.getByLabel('Health number (optional)').fill('9876543210');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Noor Haddad is enrolled.' }).waitFor();
    await page.getByRole('cell', { name: 'Noor Haddad', exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    for (const [link, heading] of [
      ['Clinic settings', 'Clinic settings'],
      ['Staff', 'Staff'],
      ['Audit log', 'Audit log'],
      ['Embed', 'Embed the widgets'],
      ['Messaging', 'Messaging rules'],
      ['Inbox', 'Inbox'],
    ]) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      assert.deepEqual(await axeViolations(page), [], link);
    }
    assert.equal(await page.getByRole('link', { name: 'Dev mailbox' }).count(), 0, 'no dev mailbox when SMTP is configured');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: /patient\.enrol/ }).first().waitFor();

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('link', { name: 'Patients' }).click();
    await page.getByRole('button', { name: 'Rechercher' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion du personnel' }).waitFor();
    await page.context().close();
  });

  it('serves the health check, the API description and the loader within its size budget', async () => {
    const health = await fetch(`${h.product.publicUrl}/health`);
    assert.equal(health.status, 200);
    const doc = (await (await fetch(`${h.product.publicUrl}/api/openapi.json`)).json()) as { openapi: string };
    assert.match(doc.openapi, /^3\./);
    const loader = await fetch(`${h.product.publicUrl}/widget.js`, { headers: { 'accept-encoding': 'identity' } });
    const { gzipSync } = await import('node:zlib');
    const plain = Buffer.from(await loader.arrayBuffer());
    assert.ok(gzipSync(plain).length < 4096, 'widget.js stays under 4 KB gzipped');
    assert.equal(loader.headers.get('content-encoding'), null);
    // Sent compressed (brotli, else gzip) when the browser accepts it, from files the build wrote.
    const http = await import('node:http');
    const raw = (encoding: string, path: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        http.get(`${h.product.publicUrl}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
    const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
    const br = await raw('br, gzip', '/widget.js');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['cross-origin-resource-policy'], 'cross-origin', 'the compressed copy keeps the headers clinic sites need');
    assert.equal(br.headers['cache-control'], 'public, max-age=300');
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.deepEqual(brotliDecompressSync(br.body), plain);
    const gz = await raw('gzip', '/widget.js');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), plain);
  });
});

describe('end to end: the installable patient portal', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('shows the widgets on our own origin with a manifest and icons, accessibly', async () => {
    const page = await newPage(h.browser);
    const warnings: string[] = [];
    page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    await page.goto(`${h.product.publicUrl}/p/demo?lang=en`);
    await page.frameLocator('sm-messages iframe').getByLabel('E-mail address').waitFor();
    // Same origin: a sandbox could not hold, so there is none (and no browser warning about one).
    assert.equal(await page.locator('sm-messages iframe').getAttribute('sandbox'), null);
    assert.deepEqual(warnings.filter((w) => w.includes('sandbox')), []);
    const manifestHref = await page.locator('link[rel=manifest]').getAttribute('href');
    const manifest = (await (await fetch(`${h.product.publicUrl}${manifestHref}`)).json()) as { icons: Array<{ src: string }> };
    for (const icon of manifest.icons) assert.equal((await fetch(`${h.product.publicUrl}${icon.src}`)).status, 200, icon.src);
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });
});
