/**
 * The patient stays signed in across the clinic's pages when the clinic's site is another *site*
 * (clinic.test embedding sm.test, both on https), in Chromium with third-party storage partitioned
 * (its default) and with it not partitioned, where the frame gets no storage at all and only the
 * partitioned cookie (CHIPS) keeps the session. Both contexts are off the record, so third-party
 * cookies are blocked in both, as in a private window or with "Block third-party cookies".
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PATIENT, DEMO_SLUG } from '../../server/demo-seed.js';
import { CROSS_SITE_ARGS, startCrossSite, type CrossSite } from '../support/cross-site.js';
import { CHROMIUM_ARGS, freePort, patientSignsIn, startHarness, type Harness } from './harness.js';

/**
 * playwright-core turns Chromium's third-party storage partitioning off (its --disable-features list);
 * a later --disable-features replaces that list, so this one gives Chromium its own default back.
 */
const PARTITIONING_ON = ['--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,PaintHolding,AvoidCorsURLLoaderRestartOnRedirect'];

const MODES = [
  { name: 'third-party storage partitioned (Chromium default)', args: PARTITIONING_ON, frameStorage: 'available' },
  { name: 'third-party storage blocked, not partitioned', args: [], frameStorage: 'denied' },
] as const;

/** What the messages frame shows once it has loaded: the signed-in view or the sign-in form. */
async function frameScreen(page: Page): Promise<'signed-in' | 'sign-in'> {
  const frame = page.frameLocator('sm-messages iframe');
  return Promise.race([
    frame.getByRole('button', { name: 'New message' }).waitFor().then(() => 'signed-in' as const),
    frame.getByLabel('E-mail address').waitFor().then(() => 'sign-in' as const),
  ]);
}

/** Mail the demo patient received (a new sign-in code would be one). */
const mailToPatient = (h: Harness) => h.smtp.messages.filter((m) => m.to === DEMO_PATIENT.email).length;

describe('a clinic site on another site keeps the patient signed in across its pages', () => {
  let h: Harness;
  let site: CrossSite;
  let dir: string;
  const browsers: Browser[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-cross-site-'));
    site = await startCrossSite(dir);
    const port = await freePort();
    h = await startHarness({ env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: site.productOrigin } });
    site.setProductPort(port);
    // The clinic's admin lists its site (Clinic settings → allowed sites), so the frame may be embedded there.
    const db = h.product.deps.db;
    const clinic = await db.selectFrom('clinics').select(['id', 'allowed_origins']).where('slug', '=', DEMO_SLUG).executeTakeFirstOrThrow();
    await db.updateTable('clinics').set({ allowed_origins: JSON.stringify([...(JSON.parse(clinic.allowed_origins) as string[]), site.clinicOrigin]) }).where('id', '=', clinic.id).execute();
  });

  after(async () => {
    for (const b of browsers) await b.close();
    await h?.close();
    await site?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const mode of MODES) {
    it(`with ${mode.name}: reload and the next page need no new code; sign-out holds`, async () => {
      const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...CROSS_SITE_ARGS, ...mode.args] });
      browsers.push(browser);
      const context = await browser.newContext({ locale: 'en-CA', ignoreHTTPSErrors: true });
      await context.addInitScript('globalThis.__name = (f) => f;');
      const page = await context.newPage();
      page.on('pageerror', (err) => {
        throw new Error(`page error: ${err.stack ?? err.message}`);
      });

      const frame = await patientSignsIn(h, page, `${site.clinicOrigin}/one`);
      // The mode is what it says: the frame gets partitioned storage, or none at all.
      const storage = await page.frames().find((f) => f.url().startsWith(`${site.productOrigin}/frame/`))!.evaluate(() => {
        try {
          localStorage.getItem('probe');
          return 'available';
        } catch {
          return 'denied';
        }
      });
      assert.equal(storage, mode.frameStorage);
      assert.equal(await page.evaluate(() => document.cookie), '', "nothing of the session is in the clinic's page");
      await frame.getByRole('heading', { name: 'Messages' }).waitFor();
      const mails = mailToPatient(h);

      await page.reload();
      assert.equal(await frameScreen(page), 'signed-in', 'still signed in after a reload');
      await page.getByRole('link', { name: 'Other page' }).click();
      await page.waitForURL(`${site.clinicOrigin}/two`);
      assert.equal(await frameScreen(page), 'signed-in', "still signed in on the clinic's next page");
      assert.equal(mailToPatient(h), mails, 'no new code was sent');

      await page.frameLocator('sm-messages iframe').getByRole('button', { name: 'Sign out' }).click();
      await page.frameLocator('sm-messages iframe').getByLabel('E-mail address').waitFor();
      await page.reload();
      assert.equal(await frameScreen(page), 'sign-in', 'signed out for good: the next page asks to sign in');
      await context.close();
    });
  }
});
