import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { axeViolations, newPage, startHarness, type Harness } from './harness.js';

/** The password step through the real login page. */
async function passwordStep(h: Harness, page: Page, role: string) {
  const login = h.product.demoLogins!.find((l) => l.role === role)!;
  await page.goto(`${h.product.publicUrl}/admin/`);
  await page.getByLabel('E-mail').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function openMyAccount(page: Page) {
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();
}

/** Reads the recovery codes shown once, then puts them away. */
async function saveRecoveryCodes(page: Page): Promise<string[]> {
  await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
  const codes = await page.locator('ol.codes li').allTextContents();
  await page.getByRole('button', { name: 'I have saved these codes' }).click();
  return codes.map((c) => c.trim());
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
}

describe('end to end: two-factor sign-in for staff', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('registers a passkey on My account, then signs in with password and passkey (virtual authenticator)', async () => {
    const page = await newPage(h.browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });

    await passwordStep(h, page, 'physician');
    await openMyAccount(page);
    await page.getByLabel('Name for the new passkey (e.g. Office laptop)').fill('Office laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const codes = await saveRecoveryCodes(page);
    assert.equal(codes.length, 10);
    await page.getByText('Passkey “Office laptop” added.').waitFor();
    await page.getByRole('button', { name: 'Remove Office laptop' }).waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1, 'the authenticator holds the new passkey');
    assert.deepEqual(await axeViolations(page), []);

    await signOut(page);
    await passwordStep(h, page, 'physician');
    await page.getByRole('heading', { name: 'Use a passkey' }).waitFor();
    assert.equal(await page.evaluate(() => document.querySelector('sm-admin-app')?.shadowRoot?.querySelector('sm-login-page')?.shadowRoot?.activeElement?.tagName), 'H1', 'focus on the new step');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const { credentials: after } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.ok(after[0]!.signCount >= 1, 'the passkey signed the sign-in');
    await page.context().close();
  });

  it('sets up an authenticator app and signs in with its code through the login page', async () => {
    const page = await newPage(h.browser);
    await passwordStep(h, page, 'staff');
    await openMyAccount(page);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code to add this account to an authenticator app' }).waitFor();
    const secret = (await page.locator('sm-account-page code').first().textContent())!.replace(/\s/g, '');
    const code = (steps: number) => TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: Date.now() + steps * 30_000 });
    await page.getByLabel('Authentication code').fill(code(0));
    await page.getByRole('button', { name: 'Turn on' }).click();
    assert.equal((await saveRecoveryCodes(page)).length, 10);
    await page.getByText('The authenticator app is on.').first().waitFor();

    await signOut(page);
    await passwordStep(h, page, 'staff');
    const field = page.getByLabel('Authentication code');
    await field.waitFor();
    assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
    // Focus is already in the code field: type straight away (the next step's code; the one used to turn it on is spent).
    await page.keyboard.type(code(1));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.context().close();
  });
});
