/**
 * Starts the real product (built front end, SQLite in a temp folder, a loopback SMTP server) and a
 * Chromium driven by playwright-core, for end-to-end tests.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { loadConfig } from '../../server/config.js';
import { DEFAULT_WEB_ROOT } from '../../server/bootstrap.js';
import { startProduct, type RunningProduct } from '../../server/product.js';
import { DEMO_PATIENT } from '../../server/demo-seed.js';
import { codeFrom, startSmtpSink, type SmtpSink } from '../support/smtp.js';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Everything an end-to-end test drives. */
export interface Harness {
  product: RunningProduct;
  smtp: SmtpSink;
  browser: Browser;
  /** The built front end this product serves (a private copy when asked for, to "deploy" into). */
  webRoot: string;
  close(): Promise<void>;
}

/** Starts product, SMTP sink and browser. Needs `npm run build` first. `env` adds to the product's configuration. */
export async function startHarness(opts: { copyWebRoot?: boolean; env?: Record<string, string> } = {}): Promise<Harness> {
  if (!fs.existsSync(path.join(DEFAULT_WEB_ROOT, 'widget.js'))) throw new Error('The front end is not built: run `npm run build` before the end-to-end tests');
  const smtp = await startSmtpSink();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-e2e-'));
  const webRoot = opts.copyWebRoot ? path.join(dataDir, 'web') : DEFAULT_WEB_ROOT;
  if (opts.copyWebRoot) fs.cpSync(DEFAULT_WEB_ROOT, webRoot, { recursive: true });
  const port = await freePort();
  const config = loadConfig({ PORT: String(port), DEMO_PORT: String(await freePort()), DATA_DIR: dataDir, SMTP_URL: smtp.url, LOG_LEVEL: 'warn', NOTICE_BATCH_MS: '0', ...opts.env });
  const product = await startProduct(config, { logLevel: false, webRoot });
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    product,
    smtp,
    browser,
    webRoot,
    async close() {
      await browser.close();
      await product.close();
      await smtp.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A page in a fresh context (axe needs a context page), failing loudly on page errors. */
export async function newPage(browser: Browser, opts: { locale?: string; serviceWorkers?: 'allow' | 'block' } = {}): Promise<Page> {
  const context = await browser.newContext({ locale: opts.locale ?? 'en-CA', serviceWorkers: opts.serviceWorkers ?? 'allow' });
  // tsx names arrow functions through a `__name` helper; code passed to evaluate() needs it in the page too.
  await context.addInitScript('globalThis.__name = (f) => f;');
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw new Error(`page error: ${err.stack ?? err.message}`);
  });
  return page;
}

/** Signs the demo patient in inside <sm-messages> on the demo clinic site (or another page); returns the frame. */
export async function patientSignsIn(h: Harness, page: Page, url = h.product.demoUrl!): Promise<FrameLocator> {
  await page.goto(url);
  const frame = page.frameLocator('sm-messages iframe');
  await frame.getByLabel('E-mail address').fill(DEMO_PATIENT.email);
  // Earlier notifications to the patient are not the sign-in code.
  for (let i = h.smtp.messages.length - 1; i >= 0; i--) if (h.smtp.messages[i]!.to === DEMO_PATIENT.email) h.smtp.messages.splice(i, 1);
  // One test file signs the same patient in more often than a real one would in 15 minutes (5 codes per account).
  await h.product.deps.db.deleteFrom('rate_limits').execute();
  await frame.getByRole('button', { name: 'E-mail me a code' }).click();
  await frame.getByLabel('6-digit code').fill(codeFrom(await h.smtp.take(DEMO_PATIENT.email)));
  await frame.getByLabel('Date of birth').fill(DEMO_PATIENT.dateOfBirth);
  await frame.getByRole('button', { name: 'Sign in' }).click();
  const consent = frame.getByRole('button', { name: 'I understand and agree' });
  await Promise.race([consent.click(), frame.getByRole('button', { name: 'New message' }).waitFor()]).catch(() => undefined);
  await frame.getByRole('button', { name: 'New message' }).waitFor();
  return frame;
}

/**
 * Chooses a category in the new message form: it starts on "Choose a category" (the patient must pick
 * one), so a test that sends a new conversation picks the first of the clinic's, or the one named.
 */
export async function chooseCategory(frame: FrameLocator, opts: { lang?: 'en' | 'fr'; name?: string } = {}): Promise<void> {
  // Its accessible name also holds the chosen option ("Category Choose a category"): found by name.
  const select = frame.getByRole('combobox', { name: opts.lang === 'fr' ? 'Catégorie' : 'Category' });
  await (opts.name ? select.selectOption({ label: opts.name }) : select.selectOption({ index: 1 }));
}

/** axe's violations on the page, frames included, as short strings for a readable assertion. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
