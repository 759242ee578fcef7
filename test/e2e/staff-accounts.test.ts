import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, newPage, startHarness, type Harness } from './harness.js';

/** The one-time link in the newest e-mail to `to`. */
async function linkTo(h: Harness, to: string): Promise<string> {
  const mail = await h.smtp.take(to, 15_000);
  const m = /(http\S+#token=\S+)/.exec(mail.text);
  assert.ok(m, 'the e-mail has a link');
  return m[1]!;
}

describe('end to end: staff invitations and password resets', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('lets an admin invite a colleague, who sets a password from the e-mailed link and is signed in', async () => {
    const admin = h.product.demoLogins!.find((l) => l.role === 'admin')!;
    const page = await newPage(h.browser);
    await page.goto(`${h.product.publicUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('heading', { name: 'Invite a staff member' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Dr Sam Rivera');
    await page.getByLabel('E-mail', { exact: true }).fill('sam.rivera@example.com');
    await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('physician');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByRole('status').filter({ hasText: 'An invitation is on its way to Dr Sam Rivera.' }).waitFor();
    await page.getByRole('row', { name: /Dr Sam Rivera.*Invitation sent/ }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    const link = await linkTo(h, 'sam.rivera@example.com');
    assert.ok(link.startsWith(`${h.product.publicUrl}/admin/invitation#token=`), link);
    const invitee = await newPage(h.browser);
    await invitee.goto(link);
    await invitee.getByRole('heading', { name: /^Welcome to / }).waitFor();
    assert.equal(new URL(invitee.url()).hash, '', 'the token leaves the address bar');
    assert.deepEqual(await axeViolations(invitee), []);
    await invitee.getByLabel('New password').fill('too short');
    await invitee.getByText('9 characters, at least 12 needed').waitFor();
    await invitee.getByRole('button', { name: 'Set my password and sign in' }).click();
    await invitee.getByRole('alert').filter({ hasText: 'This password is too short' }).waitFor();
    await invitee.getByLabel('New password').fill('password1234');
    await invitee.getByRole('button', { name: 'Set my password and sign in' }).click();
    await invitee.getByRole('alert').filter({ hasText: 'This password is too common' }).waitFor();
    await invitee.getByLabel('New password').fill('rivers run to the sea at dawn');
    await invitee.getByRole('button', { name: 'Set my password and sign in' }).click();
    await invitee.getByRole('heading', { name: 'Inbox' }).waitFor();
    await invitee.getByText('Dr Sam Rivera').first().waitFor();
    assert.equal(new URL(invitee.url()).pathname, '/admin/inbox');

    // The same link a second time is refused.
    const again = await newPage(h.browser);
    await again.goto(link);
    await again.getByRole('alert').filter({ hasText: 'This link no longer works' }).waitFor();

    await page.reload();
    await page.getByRole('row', { name: /Dr Sam Rivera.*Active/ }).waitFor();
    for (const p of [page, invitee, again]) await p.context().close();
  });

  it('resets a forgotten password from the sign-in page, in French', async () => {
    const staff = h.product.demoLogins!.find((l) => l.role === 'staff')!;
    const page = await newPage(h.browser, { locale: 'fr-CA' });
    await page.goto(`${h.product.publicUrl}/admin/`);
    await page.getByRole('link', { name: 'Mot de passe oublié?' }).click();
    await page.getByRole('heading', { name: 'Réinitialiser votre mot de passe' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByLabel('Courriel').fill(staff.email);
    await page.getByRole('button', { name: 'Envoyez-moi un lien' }).click();
    await page.getByRole('heading', { name: 'Consultez vos courriels' }).waitFor();

    const link = await linkTo(h, staff.email);
    assert.ok(link.startsWith(`${h.product.publicUrl}/admin/reset-password#token=`), link);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choisir un nouveau mot de passe' }).waitFor();
    await page.getByLabel('Nouveau mot de passe').fill('une phrase de passe très longue');
    await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click();
    await page.getByRole('heading', { name: 'Mot de passe changé' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    const old = await fetch(`${h.product.publicUrl}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: h.product.publicUrl }, body: JSON.stringify({ email: staff.email, password: staff.password }) });
    assert.equal(old.status, 401, 'the old password no longer works');
    await page.getByRole('link', { name: 'Se connecter' }).click();
    await page.getByLabel('Courriel').fill(staff.email);
    await page.getByLabel('Mot de passe').fill('une phrase de passe très longue');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation').waitFor();
    await page.context().close();
  });
});
